//! The report templates (`templates/report/`, embedded in the binary), parsed once by the same
//! engine as the pages and mails. HTML is auto-escaped by the engine (templates end in `.html`),
//! so no renderer escapes text by hand; a value the template names but the context lacks is an
//! error, never an empty cell.

use std::sync::LazyLock;

use minijinja::{Environment, UndefinedBehavior, Value};

const TEMPLATES: &[(&str, &str)] = &[
    (
        "draft.html",
        include_str!("../../templates/report/draft.html"),
    ),
    (
        "_annual_body.html",
        include_str!("../../templates/report/_annual_body.html"),
    ),
    (
        "annual.html",
        include_str!("../../templates/report/annual.html"),
    ),
    (
        "annual_page.html",
        include_str!("../../templates/report/annual_page.html"),
    ),
];

/// A report template that does not parse or render: a build defect (the renderers' tests
/// render every template).
#[derive(Debug, thiserror::Error)]
#[error("report template {name}: {detail}")]
pub struct RenderError {
    pub name: String,
    pub detail: String,
}

static ENV: LazyLock<Result<Environment<'static>, RenderError>> = LazyLock::new(|| {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    // The documents end with a newline, as the hand-built ones did.
    env.set_keep_trailing_newline(true);
    for (name, source) in TEMPLATES {
        env.add_template(name, source).map_err(|e| RenderError {
            name: (*name).to_owned(),
            detail: format!("{e:#}"),
        })?;
    }
    Ok(env)
});

/// Renders a report template with its context (see `minijinja::Value::from_serialize`).
pub fn render(name: &str, ctx: Value) -> Result<String, RenderError> {
    let env = ENV.as_ref().map_err(|e| RenderError {
        name: e.name.clone(),
        detail: e.detail.clone(),
    })?;
    env.get_template(name)
        .and_then(|t| t.render(ctx))
        .map_err(|e| RenderError {
            name: name.to_owned(),
            detail: format!("{e:#}"),
        })
}
