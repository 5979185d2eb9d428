//! One integration binary: every test boots the real app against a fresh database.
#![allow(clippy::unwrap_used, clippy::expect_used, reason = "tests fail loudly")]

mod admin;
mod annual;
mod annual_publish;
mod assessment;
mod audit_keys;
mod audit_pages;
mod audits;
mod calendar;
mod cases;
mod contract;
mod demo;
mod durability;
mod fees;
mod foundation;
mod hardening;
mod helpers;
mod intake;
mod legal;
mod library;
mod mail;
mod online;
mod ops;
mod orders;
mod replies;
mod reviews;
mod scaling;
mod search;
mod smtp;
mod supervision;
mod usability;
mod web;
