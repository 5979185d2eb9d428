//! The reply draft as an HTML fragment (`<article class="ogi-reply">`, one element per block,
//! 【…】 placeholders as `<span class="placeholder">`), from `domain::draft`'s document model
//! through the template `templates/report/draft.html`. Owns only the markup.

use minijinja::Value;
use serde::Serialize;

use super::templates::{self, RenderError};
use crate::domain::draft::Block;

#[derive(Serialize)]
struct Context<'a> {
    blocks: &'a [Block],
}

/// The draft's blocks as HTML; every piece of text is escaped by the template engine.
pub fn render(blocks: &[Block]) -> Result<String, RenderError> {
    templates::render("draft.html", Value::from_serialize(Context { blocks }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::compliance::tests::{d, organ as city_department};
    use crate::domain::draft::tests::input;
    use crate::domain::draft::{DraftInput, DraftTitle, draft};
    use crate::domain::outcome::Outcome;

    #[test]
    fn html_escapes_everything() {
        // Also: the form title (the draft's own test checks the text) and the placeholders.
        let mut organ = city_department();
        organ.name = "A&B<局>".to_owned();
        let dr = draft(DraftInput {
            applicant: "<script>alert('x')</script>".to_owned(),
            items: vec!["\"quoted\" & <b>bold</b>".to_owned()],
            title: DraftTitle::Form,
            ..input(organ, Outcome::Disclosed, d(2024, 10, 8))
        });
        let html = render(&dr.blocks).unwrap();
        assert!(html.contains("<h1>政府信息公开申请答复书</h1>"));
        assert!(html.contains("<span class=\"placeholder\" title=\"文号序号\">"));
        assert!(!html.contains("<script>"));
        assert!(!html.contains("<b>"));
        // The engine spells ' and / as &#x27; and &#x2f; (the hand-built escaper wrote &#39;
        // and left / alone): the same text to a browser.
        assert!(html.contains("&lt;script&gt;alert(&#x27;x&#x27;)&lt;&#x2f;script&gt;"));
        assert!(html.contains("&quot;quoted&quot; &amp; &lt;b&gt;bold&lt;&#x2f;b&gt;"));
        assert!(html.contains("<p class=\"signature\">A&amp;B&lt;局&gt;</p>"));
        assert!(html.starts_with("<article class=\"ogi-reply\">\n"));
        assert!(html.ends_with("</article>\n"));
        // The text keeps the input as typed.
        assert!(dr.text.contains("<script>alert('x')</script>："));
    }
}
