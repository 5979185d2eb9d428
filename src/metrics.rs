//! The Prometheus registry of one running instance: request latency and status classes per
//! route pattern, scheduler passes and mail deliveries of this instance, and gauges set at
//! scrape time (open and overdue cases, outbox depth, database pool). Owns metric names
//! and labels only; the HTTP face times requests and serves the text, `ops::metrics`
//! counts what the database holds.

use prometheus::{
    HistogramOpts, HistogramVec, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry, TextEncoder,
};

use crate::jobs::notify::Report;
use crate::ops::metrics::Gauges;

/// Request latency buckets (seconds): a case read is a few ms, a report up to seconds.
const LATENCY_BUCKETS: &[f64] = &[
    0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

pub struct Metrics {
    registry: Registry,
    request_seconds: HistogramVec,
    requests: IntCounterVec,
    scheduler_passes: IntCounterVec,
    mail_deliveries: IntCounterVec,
    cases: IntGaugeVec,
    outbox: IntGaugeVec,
    pool_connections: IntGaugeVec,
    pool_max: IntGauge,
    database_up: IntGauge,
}

impl Metrics {
    pub fn new() -> Result<Metrics, prometheus::Error> {
        let registry = Registry::new();
        let request_seconds = HistogramVec::new(
            HistogramOpts::new(
                "ogi_http_request_duration_seconds",
                "Time to answer a request, by method and route pattern",
            )
            .buckets(LATENCY_BUCKETS.to_vec()),
            &["method", "route"],
        )?;
        let requests = IntCounterVec::new(
            Opts::new(
                "ogi_http_requests_total",
                "Answered requests, by method, route pattern and status class",
            ),
            &["method", "route", "status_class"],
        )?;
        let scheduler_passes = IntCounterVec::new(
            Opts::new(
                "ogi_scheduler_passes_total",
                "Scheduler passes of this instance: ran, skipped (another instance was scanning) or failed",
            ),
            &["outcome"],
        )?;
        let mail_deliveries = IntCounterVec::new(
            Opts::new(
                "ogi_mail_deliveries_total",
                "Delivery attempts by this instance's sender: sent, retrying (will be tried again) or failed (gave up)",
            ),
            &["result"],
        )?;
        let cases = IntGaugeVec::new(
            Opts::new(
                "ogi_cases",
                "Cases as stored: open (not replied or closed) and overdue (running, due date passed)",
            ),
            &["state"],
        )?;
        let outbox = IntGaugeVec::new(
            Opts::new(
                "ogi_outbox_mails",
                "Mails in the outbox not yet delivered: pending, sending, failed (gave up)",
            ),
            &["status"],
        )?;
        let pool_connections = IntGaugeVec::new(
            Opts::new(
                "ogi_db_pool_connections",
                "Database connections of this instance: idle or in_use",
            ),
            &["state"],
        )?;
        let pool_max = IntGauge::new(
            "ogi_db_pool_max_connections",
            "Configured size of the database pool (OGI_POOL_SIZE)",
        )?;
        let database_up = IntGauge::new(
            "ogi_database_up",
            "1 when the database answered this scrape's queries, else 0",
        )?;
        registry.register(Box::new(request_seconds.clone()))?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(scheduler_passes.clone()))?;
        registry.register(Box::new(mail_deliveries.clone()))?;
        registry.register(Box::new(cases.clone()))?;
        registry.register(Box::new(outbox.clone()))?;
        registry.register(Box::new(pool_connections.clone()))?;
        registry.register(Box::new(pool_max.clone()))?;
        registry.register(Box::new(database_up.clone()))?;
        Ok(Metrics {
            registry,
            request_seconds,
            requests,
            scheduler_passes,
            mail_deliveries,
            cases,
            outbox,
            pool_connections,
            pool_max,
            database_up,
        })
    }

    /// One answered request. `route` is the matched pattern (`/api/v1/cases/{id}`), never
    /// the raw path, so ids do not multiply the series.
    pub fn observe_request(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let class = match status {
            100..=199 => "1xx",
            200..=299 => "2xx",
            300..=399 => "3xx",
            400..=499 => "4xx",
            _ => "5xx",
        };
        self.request_seconds
            .with_label_values(&[method, route])
            .observe(seconds);
        self.requests
            .with_label_values(&[method, route, class])
            .inc();
    }

    /// One scheduler pass of this instance (`Err`: it failed).
    pub fn observe_pass(&self, pass: Result<&Report, ()>) {
        let outcome = match pass {
            Ok(r) if r.scan.skipped => "skipped",
            Ok(_) => "ran",
            Err(()) => "failed",
        };
        self.scheduler_passes.with_label_values(&[outcome]).inc();
        if let Ok(r) = pass {
            for (result, n) in [
                ("sent", r.send.sent),
                ("retrying", r.send.retrying),
                ("failed", r.send.failed),
            ] {
                self.mail_deliveries
                    .with_label_values(&[result])
                    .inc_by(u64::try_from(n).unwrap_or(u64::MAX));
            }
        }
    }

    /// Sets the scrape-time gauges; `None` when the database did not answer (the case and
    /// outbox series are then left out rather than shown stale).
    pub fn set_gauges(&self, gauges: Option<&Gauges>, pool: r2d2::State, pool_max: u32) {
        let idle = i64::from(pool.idle_connections);
        self.pool_connections.with_label_values(&["idle"]).set(idle);
        self.pool_connections
            .with_label_values(&["in_use"])
            .set(i64::from(pool.connections) - idle);
        self.pool_max.set(i64::from(pool_max));
        match gauges {
            Some(g) => {
                self.database_up.set(1);
                self.cases.with_label_values(&["open"]).set(g.open_cases);
                self.cases
                    .with_label_values(&["overdue"])
                    .set(g.overdue_cases);
                for (status, n) in [
                    ("pending", g.outbox_pending),
                    ("sending", g.outbox_sending),
                    ("failed", g.outbox_failed),
                ] {
                    self.outbox.with_label_values(&[status]).set(n);
                }
            }
            None => {
                self.database_up.set(0);
                self.cases.reset();
                self.outbox.reset();
            }
        }
    }

    /// The text exposition format (version 0.0.4).
    pub fn render(&self) -> Result<String, prometheus::Error> {
        TextEncoder::new().encode_to_string(&self.registry.gather())
    }

    pub fn content_type() -> &'static str {
        prometheus::TEXT_FORMAT
    }
}
