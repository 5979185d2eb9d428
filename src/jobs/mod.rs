//! Background work, each a `run_once(…, as_of)` that is idempotent and drivable from the
//! command line (`ogi-tracker notify --as-of …`) and from tests, and run on a timer inside
//! `serve` unless `--no-scheduler`.

pub mod notify;
