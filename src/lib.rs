//! ogi-tracker: requests for government information (依申请公开) under the OGI Regulations.
//!
//! - `domain`: pure rules (calendar, deadlines, organisation); no IO, no clock.
//! - `auth`: roles, access scope, password hashing, JWT.
//! - `store`: diesel on SQLite or PostgreSQL (one code base), migrations, one file per aggregate.
//! - `http`: actix-web routes, extractors, the one error type.
//! - `cases`: a case's derived state and the writes that go with every change (store + domain).
//! - `bulk`: the streaming `deadline --bulk` command.
//! - `clock`: today in China Standard Time, for the edges only.
//! - `mail`: templates, the outbox sender (lettre). `jobs`: the notification scan.
//! - `report`: CSV and Excel renderings of reports; the annual report as .xlsx and HTML.
//! - `config`: settings from a TOML file and `OGI_*` variables.
//! - `startup`: builds and starts the service from `Settings` (used by `main` and the tests).

pub mod auth;
pub mod bulk;
pub mod cases;
pub mod clock;
pub mod config;
pub mod domain;
pub mod http;
pub mod jobs;
pub mod mail;
pub mod ops;
pub mod report;
pub mod startup;
pub mod store;
