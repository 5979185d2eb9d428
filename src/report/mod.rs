//! Rendering of reports into files people open: CSV and Excel workbooks (and the annual
//! report's official layout). Pure formatting: no database, no HTTP.

pub mod annual_html;
pub mod annual_xlsx;
pub mod tabular;
