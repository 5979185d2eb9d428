//! Rendering of reports into files people open: CSV and Excel workbooks, the annual report's
//! official layout and the reply draft as HTML (minijinja templates in `templates/report/`).
//! Pure formatting: no database, no HTTP.

pub mod annual_html;
pub mod annual_xlsx;
pub mod draft_html;
pub mod tabular;
mod templates;

pub use templates::RenderError;
