//! The product's rules as pure code: no IO, no clock ("today" is always a parameter), no
//! diesel/actix/lettre. Everything a clerk may ask "why?" about is decided here.

pub mod calendar;
pub mod case;
pub mod deadline;
pub mod org;
pub mod validation;
