//! `/metrics` for Prometheus, and the middleware that times every request under its route
//! pattern. Who may read it: only a caller presenting `OGI_METRICS_TOKEN` as a Bearer
//! token; without that setting the path answers 404 as if it did not exist. The figures
//! (case counts, mail failures) are the agency's business, and a token works the same
//! behind any proxy, where a "private port" would depend on the network layout.

use std::time::Instant;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::{HttpRequest, HttpResponse, web};
use sha2::{Digest, Sha256};

use super::error::ApiError;
use super::extract::State;
use crate::metrics::Metrics;

/// Times the request and counts its status class under the matched route pattern
/// (`unmatched` for paths that match no route, so scanners cannot grow the series).
pub async fn track(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let metrics = req.app_data::<State>().map(|s| s.metrics.clone());
    let route = req
        .match_pattern()
        .unwrap_or_else(|| "unmatched".to_owned());
    let method = method_label(req.method());
    let start = Instant::now();
    let res = next.call(req).await;
    if let Some(m) = metrics {
        let status = match &res {
            Ok(r) => r.status(),
            Err(e) => e.as_response_error().status_code(),
        };
        m.observe_request(
            method,
            &route,
            status.as_u16(),
            start.elapsed().as_secs_f64(),
        );
    }
    res
}

/// The request method as a label; anything unusual is one `other` series.
fn method_label(m: &Method) -> &'static str {
    match *m {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

pub async fn scrape(state: State, req: HttpRequest) -> Result<HttpResponse, ApiError> {
    let Some(expected) = state.settings.metrics_token.as_deref() else {
        return Err(ApiError::not_found("该接口"));
    };
    let presented = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    // Compare digests: equal-length values, so the comparison's time says nothing.
    if Sha256::digest(presented.as_bytes()) != Sha256::digest(expected.as_bytes()) {
        return Err(ApiError::unauthenticated(
            "读取监控指标须携带 OGI_METRICS_TOKEN 令牌（Authorization: Bearer …）",
        ));
    }
    let today = state.today();
    let ctx = state.ctx.clone();
    let counted = web::block(move || crate::ops::metrics::gauges(&ctx, today)).await?;
    let gauges = match counted {
        Ok(g) => Some(g),
        Err(error) => {
            // The scrape still answers: request figures and the pool state tell of the
            // outage, and `ogi_database_up 0` says so.
            tracing::warn!(%error, "metrics: database figures unavailable");
            None
        }
    };
    state
        .metrics
        .set_gauges(gauges.as_ref(), state.pool.state(), state.pool.max_size());
    let text = state.metrics.render().map_err(ApiError::internal)?;
    Ok(HttpResponse::Ok()
        .content_type(Metrics::content_type())
        .body(text))
}
