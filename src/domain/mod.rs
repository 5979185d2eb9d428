//! The product's rules as pure code: no IO, no clock ("today" is always a parameter), no
//! diesel/actix/lettre. Everything a clerk may ask "why?" about is decided here.

pub mod annual;
pub mod anonymise;
pub mod assessment;
pub mod calendar;
pub mod campaign;
pub mod case;
pub mod case_actions;
pub mod compliance;
pub mod deadline;
pub mod doc_number;
pub mod draft;
pub mod event_limits;
pub mod fee;
pub mod letter_rules;
pub mod notice;
pub mod order;
pub mod org;
pub mod outcome;
pub mod remedy;
pub mod reply;
pub mod review;
pub mod validation;
