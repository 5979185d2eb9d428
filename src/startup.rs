//! Builds the running service from `Settings`: pool, migrations, secrets, the bootstrap
//! admin, and the HTTP server. `main` and the integration tests use the same builder.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use actix_web::{App, HttpServer, middleware, web};
use tracing_actix_web::TracingLogger;

use crate::auth::jwt::JwtKeys;
use crate::auth::{Role, password};
use crate::config::Settings;
use crate::http::{self, AppState};
use crate::secrets::{self, SecretError};
use crate::store::{self, Pool, StoreError};

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot bind {addr}: {source}")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Secret(#[from] SecretError),
    #[error("bootstrap admin: {0}")]
    Bootstrap(String),
    #[error("{0}")]
    Mail(String),
    #[error("metrics registry: {0}")]
    Metrics(#[from] prometheus::Error),
}

/// Runs the notification scan and a send pass every `secs` seconds on the current runtime.
/// Several instances may run it: one scans at a time (an advisory lock on PostgreSQL; the
/// others skip that pass), reminders are deduplicated, and mails are claimed one by one.
fn spawn_scheduler(state: web::Data<AppState>, mailer: crate::mail::sender::Mailer, secs: u64) {
    actix_web::rt::spawn(async move {
        let mut tick = actix_web::rt::time::interval(std::time::Duration::from_secs(secs));
        loop {
            tick.tick().await;
            let today = state.today();
            match crate::jobs::notify::run_once(state.ctx.clone(), &mailer, today).await {
                Ok(report) => {
                    state.metrics.observe_pass(Ok(&report));
                    tracing::info!(?report, "scheduler pass");
                }
                Err(error) => {
                    state.metrics.observe_pass(Err(()));
                    tracing::warn!(%error, "scheduler pass failed");
                }
            }
        }
    });
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bootstrap {
    /// Users existed already.
    Existing,
    /// Created with `OGI_ADMIN_PASSWORD`.
    FromSettings,
    /// Created with this generated password, shown once.
    Generated(String),
}

pub struct Application {
    server: Server,
    pub port: u16,
    pub bootstrap: Bootstrap,
    pub pool: Pool,
}

impl Application {
    /// Connects, migrates, prepares secrets and the admin, and binds (port 0 picks a free
    /// port). The server runs when `run` is awaited.
    pub fn build(settings: Settings) -> Result<Application, StartupError> {
        let pool = crate::ops::Ctx::connect(&settings, settings.pool_size)?;
        let audit_key = secrets::audit_key(&settings)?;
        let (bootstrap, calendars) = {
            let mut conn = store::checkout(&pool).map_err(StoreError::from)?;
            store::migrate(&mut conn, &audit_key)?;
            let bootstrap = bootstrap_admin(&mut conn, settings.admin_password.as_deref())?;
            (bootstrap, store::calendars::CalendarCache::load(&mut conn)?)
        };
        let secret = secrets::jwt_secret(&settings)?;
        let state = web::Data::new(AppState {
            ctx: Arc::new(crate::ops::Ctx::new(
                pool.clone(),
                calendars,
                Arc::new(settings.clone()),
                audit_key,
            )),
            jwt: JwtKeys::new(secret.as_bytes(), settings.token_ttl_secs),
            metrics: Arc::new(crate::metrics::Metrics::new()?),
        });
        // The departments, read and kept once now: a write transaction checks that the kept
        // copy is current but never keeps what it reads itself (it may see its own
        // uncommitted changes), so an instance that had only registered cases would read
        // the whole directory in every intake. Not a reason to refuse to start: the
        // requests that need the departments say what is wrong with them.
        if let Err(e) = state.ctx.read(|c| state.ctx.directory(c)) {
            tracing::warn!(error = %e, "the departments could not be read at start");
        }
        let mailer = crate::mail::sender::Mailer::new(
            settings.smtp_url.as_deref(),
            &settings.mail_from,
            settings.mail_retry_base_secs,
        )
        .map_err(|e| StartupError::Mail(e.to_string()))?;
        if !mailer.configured() {
            tracing::warn!("OGI_SMTP_URL is not set: mail is queued in the outbox and not sent");
        }
        if settings.scheduler_secs > 0 {
            spawn_scheduler(state.clone(), mailer, settings.scheduler_secs);
        }
        let listener = TcpListener::bind(settings.bind).map_err(|source| StartupError::Bind {
            addr: settings.bind.to_string(),
            source,
        })?;
        let port = listener.local_addr().map(|a| a.port()).unwrap_or(0);
        let server = HttpServer::new(move || {
            App::new()
                .app_data(state.clone())
                .wrap(middleware::Compress::default())
                .wrap_fn(http::with_request_id)
                .wrap(TracingLogger::<http::RequestLog>::new())
                .configure(http::configure)
                .configure(crate::web::configure)
                .default_service(web::to(http::not_found))
                .wrap(middleware::from_fn(http::security_headers))
                .wrap(middleware::from_fn(http::metrics::track))
        })
        .listen(listener)
        .map_err(|source| StartupError::Bind {
            addr: settings.bind.to_string(),
            source,
        })?
        .run();
        Ok(Application {
            server,
            port,
            bootstrap,
            pool,
        })
    }

    pub async fn run(self) -> std::io::Result<()> {
        self.server.await
    }

    /// Starts serving on the current runtime and returns at once (tests).
    pub fn spawn(self) -> (u16, Bootstrap, Pool) {
        actix_web::rt::spawn(self.server);
        (self.port, self.bootstrap, self.pool)
    }
}

/// On an empty database, creates the `admin` user.
pub fn bootstrap_admin(
    conn: &mut store::DbConnection,
    configured: Option<&str>,
) -> Result<Bootstrap, StartupError> {
    if store::users::count(conn).map_err(StoreError::from)? > 0 {
        return Ok(Bootstrap::Existing);
    }
    let (plain, outcome) = match configured {
        Some(p) => (p.to_owned(), Bootstrap::FromSettings),
        None => {
            let p = password::generate().map_err(|e| StartupError::Bootstrap(e.to_string()))?;
            (p.clone(), Bootstrap::Generated(p))
        }
    };
    let password_hash =
        password::hash(&plain).map_err(|e| StartupError::Bootstrap(e.to_string()))?;
    let new = store::users::NewUser {
        username: "admin".into(),
        display_name: "系统管理员".into(),
        email: None,
        role: Role::Admin.as_str().into(),
        department_id: None,
        password_hash,
    };
    match store::users::insert(conn, &new) {
        Ok(_) => Ok(outcome),
        // Another instance bootstrapped the same database a moment earlier.
        Err(e) if store::is_unique_violation(&e) => Ok(Bootstrap::Existing),
        Err(e) => Err(StoreError::from(e).into()),
    }
}
