//! Rendering of reports into files people open: CSV and Excel workbooks, the annual report's
//! official layout (HTML, the published page, .docx), letters as .docx and the reply draft as HTML (minijinja templates in `templates/report/`).
//! Pure formatting: no database, no HTTP.

pub mod annual_docx;
pub mod annual_html;
pub mod annual_xlsx;
pub mod docx;
pub mod draft_html;
pub mod tabular;
mod templates;

pub use templates::RenderError;
