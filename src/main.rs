//! The `ogi-tracker` command: a thin CLI over the library.

use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{NaiveDate, Utc};
use clap::{Parser, Subcommand};
use ogi_tracker::auth::{Role, password};
use ogi_tracker::config::{LogFormat, Settings, redact_url};
use ogi_tracker::domain::calendar::{CalendarSet, RegionCode};
use ogi_tracker::startup::{Application, Bootstrap};
use ogi_tracker::{secrets, store};

#[derive(Parser)]
#[command(
    name = "ogi-tracker",
    version,
    about = "政府信息公开申请办理跟踪 (OGI request tracker)"
)]
struct Cli {
    /// Optional TOML settings file; OGI_* environment variables override its keys.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Start the HTTP service (the default).
    Serve {
        /// Do not run the notification scan and mail sender inside this instance.
        #[arg(long)]
        no_scheduler: bool,
    },
    /// Run one notification scan as of a date and one send pass, then exit (for cron).
    Notify {
        /// The day to scan for (default: today in China).
        #[arg(long)]
        as_of: Option<String>,
    },
    /// Apply pending database migrations and exit.
    Migrate,
    /// Check the settings and the database connection, print them (secrets hidden).
    CheckConfig,
    /// Compute a statutory due date (the N-th working day after receipt) with its
    /// explanation, or stream many with --bulk. Uses the bundled calendars plus any years
    /// imported into the configured database.
    Deadline {
        /// Receipt date (收到申请之日), YYYY-MM-DD.
        #[arg(long, required_unless_present = "bulk", conflicts_with = "bulk")]
        received: Option<String>,
        /// Working days to add (Art. 33: 20).
        #[arg(long, default_value_t = 20)]
        days: u32,
        /// 6-digit region code; its province selects the regional holiday layer.
        #[arg(long)]
        region: Option<String>,
        /// Date the used/remaining working days are counted to (default: today in China).
        #[arg(long)]
        as_of: Option<String>,
        /// Read JSON lines {"received", "days"?, "region"?} on stdin; write one answer per line.
        #[arg(long)]
        bulk: bool,
    },
    /// Write a consistent copy of the SQLite database to FILE while the service runs
    /// (FILE must not exist). On PostgreSQL use pg_dump (see the README).
    Backup {
        /// The new file to write.
        file: PathBuf,
    },
    /// Replace the SQLite database with the backup FILE. Refused while a service or another
    /// command uses the database. On PostgreSQL use pg_restore (see the README).
    Restore {
        /// A file written by `backup`.
        file: PathBuf,
    },
    /// Check every case's audit chain; exit 1 and list the breaks if any record was altered,
    /// removed or reordered in the database.
    VerifyAudit,
    /// Fill the database with realistic demonstration data (departments with a clerk and a
    /// supervisor each, cases over the past three years in every state), through the same
    /// operations as real work. For trying the pages and for benchmarks.
    Demo {
        /// How many cases.
        #[arg(long, default_value_t = 200)]
        cases: usize,
        /// How many departments: a city government, and county governments each over ten departments.
        #[arg(long, default_value_t = 3)]
        departments: usize,
        /// The password of every demonstration user (clerk000, sup000, …).
        #[arg(long, default_value = "demo-password-2026")]
        password: String,
        /// Seed of the generator: the same seed, the same data.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Write the cases in large batches instead of one operation at a time: the same
        /// data by the same rules, for filling a database with a million cases.
        #[arg(long)]
        bulk: bool,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create a user. The password is read from standard input (one line) with
    /// --password-stdin, otherwise generated and printed once.
    Add {
        #[arg(long)]
        username: String,
        #[arg(long)]
        display_name: String,
        /// clerk | supervisor | auditor | admin
        #[arg(long)]
        role: String,
        #[arg(long)]
        department_id: Option<i64>,
        #[arg(long)]
        email: Option<String>,
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a new password and end the user's sessions. The password is read from standard
    /// input (one line) with --password-stdin, otherwise generated and printed once.
    ResetPassword {
        #[arg(long)]
        username: String,
        #[arg(long)]
        password_stdin: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let settings = match Settings::load(cli.config.as_deref()) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    init_logging(settings.log_format);
    let result = match cli.command.unwrap_or(Command::Serve {
        no_scheduler: false,
    }) {
        Command::Serve { no_scheduler } => {
            let mut settings = settings;
            if no_scheduler {
                settings.scheduler_secs = 0;
            }
            serve(settings)
        }
        Command::Notify { as_of } => notify(&settings, as_of.as_deref()),
        Command::Migrate => migrate(&settings),
        Command::CheckConfig => check_config(&settings),
        Command::VerifyAudit => verify_audit(&settings),
        Command::Backup { file } => backup(&settings, &file),
        Command::Restore { file } => restore(&settings, &file),
        Command::Demo {
            cases,
            departments,
            password,
            seed,
            bulk,
        } => {
            let how = if bulk {
                ogi_tracker::ops::demo::Fill::Bulk
            } else {
                ogi_tracker::ops::demo::Fill::Operations
            };
            demo(&settings, (cases, departments, seed, how), &password)
        }
        Command::Deadline {
            received,
            days,
            region,
            as_of,
            bulk,
        } => deadline(
            &settings,
            received.as_deref(),
            days,
            region.as_deref(),
            as_of.as_deref(),
            bulk,
        ),
        Command::User { command } => match command {
            UserCommand::Add {
                username,
                display_name,
                role,
                department_id,
                email,
                password_stdin,
            } => add_user(
                &settings,
                username,
                display_name,
                &role,
                department_id,
                email,
                password_stdin,
            ),
            UserCommand::ResetPassword {
                username,
                password_stdin,
            } => reset_password(&settings, &username, password_stdin),
        },
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn init_logging(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().init(),
    }
}

fn serve(settings: Settings) -> Result<(), String> {
    let bind = settings.bind;
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(settings).map_err(|e| e.to_string())?;
        // The bound port: with port 0 in OGI_BIND the system picked it.
        let base = format!("http://{}", std::net::SocketAddr::new(bind.ip(), app.port));
        println!("ogi-tracker listening on {base}  (health: {base}/health/ready)");
        match &app.bootstrap {
            Bootstrap::Generated(pw) => {
                println!("Created user `admin` with the generated password (shown once): {pw}");
                println!(
                    "Log in: curl -s -X POST {base}/api/v1/auth/login -H 'Content-Type: application/json' \
                     -d '{{\"username\":\"admin\",\"password\":\"{pw}\"}}'"
                );
            }
            Bootstrap::FromSettings => {
                println!("Created user `admin` with the password from OGI_ADMIN_PASSWORD.");
                println!("Log in: POST {base}/api/v1/auth/login {{\"username\":\"admin\",\"password\":…}}");
            }
            Bootstrap::Existing => {
                println!("Log in: POST {base}/api/v1/auth/login {{\"username\":…,\"password\":…}}");
            }
        }
        app.run().await.map_err(|e| e.to_string())
    })
}

fn connect(settings: &Settings) -> Result<store::PooledConn, String> {
    let pool = ogi_tracker::ops::Ctx::connect(settings, 1).map_err(|e| e.to_string())?;
    store::checkout(&pool).map_err(|e| format!("cannot connect to the database: {e}"))
}

fn migrate(settings: &Settings) -> Result<(), String> {
    let key = secrets::audit_key(settings).map_err(|e| e.to_string())?;
    let mut conn = connect(settings)?;
    let applied = store::migrate(&mut conn, &key).map_err(|e| e.to_string())?;
    if applied.is_empty() {
        println!("database is up to date");
    }
    for name in applied {
        println!("applied {name}");
    }
    Ok(())
}

fn check_config(settings: &Settings) -> Result<(), String> {
    println!("database_url   {}", redact_url(&settings.database_url));
    println!("bind           {}", settings.bind);
    println!(
        "jwt_secret     {}",
        if settings.jwt_secret.is_some() {
            "set"
        } else {
            "generated in the data directory"
        }
    );
    println!(
        "audit_key      {}",
        if settings.audit_key.is_some() {
            "set"
        } else {
            "generated in the data directory"
        }
    );
    println!("log_format     {:?}", settings.log_format);
    println!("token_ttl_secs {}", settings.token_ttl_secs);
    connect(settings)?;
    println!("database       reachable");
    Ok(())
}

/// The calendars in force: bundled, plus the database's imports when a database exists
/// (a computation never creates a database as a side effect).
fn calendars(settings: &Settings) -> Result<CalendarSet, String> {
    if let store::DatabaseUrl::Sqlite(path) = &settings.database_url
        && !path.exists()
    {
        return Ok(CalendarSet::bundled());
    }
    let mut conn = connect(settings)?;
    store::calendars::load_set(&mut conn)
        .map_err(|e| format!("{e} (run `ogi-tracker migrate` if the database is new)"))
}

fn parse_date(flag: &str, raw: &str) -> Result<NaiveDate, String> {
    ogi_tracker::bulk::parse_iso_date(raw.trim())
        .ok_or_else(|| format!("{flag}: expected YYYY-MM-DD, got {raw}"))
}

fn deadline(
    settings: &Settings,
    received: Option<&str>,
    days: u32,
    region: Option<&str>,
    as_of: Option<&str>,
    bulk: bool,
) -> Result<(), String> {
    let region = region
        .map(|r| RegionCode::parse(r).map_err(|e| format!("--region: {e}")))
        .transpose()?;
    let set = calendars(settings)?;
    if bulk {
        let stdin = std::io::stdin().lock();
        let stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
        let summary = ogi_tracker::bulk::run(&set, region.as_ref(), days, stdin, stdout)
            .map_err(|e| e.to_string())?;
        tracing::debug!(?summary, "bulk deadline run");
        return Ok(());
    }
    let received = parse_date("--received", received.unwrap_or_default())?;
    let as_of = match as_of {
        Some(raw) => parse_date("--as-of", raw)?,
        // Agencies work on China Standard Time (UTC+8, no daylight saving).
        None => (Utc::now() + chrono::Duration::hours(8)).date_naive(),
    };
    let cal = set.calendar(region.as_ref());
    let (due, d) =
        ogi_tracker::bulk::single(&cal, received, days, as_of).map_err(|e| e.to_string())?;
    let out = serde_json::json!({
        "received": received,
        "days": days,
        "region": region,
        "calendar": d.calendar,
        "due": due.value,
        "provisional": due.provisional,
        "provisional_reasons": due.provisional_reasons,
        "as_of": as_of,
        "working_days_remaining": d.working_days_remaining,
        "steps": d.steps,
    });
    println!(
        "{}",
        serde_json::to_string_pretty(&out).map_err(|e| e.to_string())?
    );
    Ok(())
}

fn notify(settings: &Settings, as_of: Option<&str>) -> Result<(), String> {
    let as_of = match as_of {
        Some(raw) => parse_date("--as-of", raw)?,
        None => ogi_tracker::clock::today(),
    };
    let ctx = std::sync::Arc::new(
        ogi_tracker::ops::Ctx::open(settings.clone(), 2).map_err(|e| e.to_string())?,
    );
    let mailer = ogi_tracker::mail::sender::Mailer::new(
        settings.smtp_url.as_deref(),
        &settings.mail_from,
        settings.mail_retry_base_secs,
    )
    .map_err(|e| e.to_string())?;
    let report = actix_web::rt::System::new()
        .block_on(async move { ogi_tracker::jobs::notify::run_once(ctx, &mailer, as_of).await })?;
    println!(
        "{}",
        serde_json::to_string(&report).map_err(|e| e.to_string())?
    );
    Ok(())
}

fn verify_audit(settings: &Settings) -> Result<(), String> {
    // Never a generated key: verifying under a new one would call every record forged.
    let key = secrets::existing_audit_key(settings).map_err(|e| e.to_string())?;
    if key.is_none() {
        eprintln!(
            "no audit key: OGI_AUDIT_KEY is not set and {} does not exist; keyed records and the seals cannot be verified",
            settings.data_dir().join("audit-key").display()
        );
    }
    let mut conn = connect(settings)?;
    let trail = store::trail::verify(&mut conn, key.as_ref()).map_err(|e| e.to_string())?;
    let mut log = store::action_log::verify(&mut conn, key.as_ref()).map_err(|e| e.to_string())?;
    log.breaks
        .extend(ogi_tracker::ops::campaigns::cross_check(&mut conn).map_err(|e| e.to_string())?);
    let breaks = trail.breaks.len() + log.breaks.len();
    let unverified = trail.unverified + log.unverified;
    let key_verified = match (trail.key_verified, log.key_verified) {
        (Some(a), Some(b)) => Some(a && b),
        _ => None,
    };
    let ok = breaks == 0 && key_verified == Some(true);
    // The case trail stays at the top level (as before); the action log is reported beside it.
    let mut report = serde_json::to_value(&trail).map_err(|e| e.to_string())?;
    report["ok"] = ok.into();
    report["key"] = match key_verified {
        None => "absent",
        Some(true) => "verified",
        Some(false) => "failed",
    }
    .into();
    report["action_log"] = serde_json::to_value(&log).map_err(|e| e.to_string())?;
    println!(
        "{}",
        serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?
    );
    if ok {
        return Ok(());
    }
    let mut message = format!(
        "the audit trail does not verify: {} break(s) in case trails, {} in the action log",
        trail.breaks.len(),
        log.breaks.len()
    );
    if key.is_none() {
        message.push_str(&format!(
            "; {unverified} keyed record(s) and seal(s) not verified without the audit key"
        ));
    } else if let failed @ 1.. = trail.keyed_failed + log.keyed_failed
        && failed == keyed(&trail) + keyed(&log)
    {
        // Every keyed record failed its HMAC: the mark of another key rather than of edits.
        message.push_str(
            "; no keyed record verifies: is OGI_AUDIT_KEY the key this database was written with?",
        );
    }
    Err(message)
}

fn keyed<B>(v: &store::trail::Verified<B>) -> usize {
    v.schemes.get("hmac-sha256").copied().unwrap_or(0)
}

/// The PostgreSQL route, as the README ("Backup and restore") gives it.
const PG_DUMP: &str = "pg_dump --format=custom --file=FILE \"$OGI_DATABASE_URL\"";
const PG_RESTORE: &str = "createdb NEW, then pg_restore --no-owner --exit-on-error \
     --single-transaction --dbname=postgres://…/NEW FILE, and point OGI_DATABASE_URL at NEW";

fn backup(settings: &Settings, file: &std::path::Path) -> Result<(), String> {
    let db = match &settings.database_url {
        store::DatabaseUrl::Postgres(_) => {
            return Err(format!(
                "on PostgreSQL, back up with pg_dump: {PG_DUMP} (see README, Backup and restore)"
            ));
        }
        store::DatabaseUrl::Sqlite(db) => db,
    };
    // Connecting would create an empty database.
    if !db.is_file() {
        return Err(store::backup::FileError::NoDatabase(db.clone()).to_string());
    }
    let mut conn = connect(settings)?;
    let store::DbConnection::Sqlite(c) = &mut **conn else {
        return Err("the database is not SQLite".into());
    };
    let bytes = store::backup::backup(c, file).map_err(|e| e.to_string())?;
    println!(
        "backed up {} to {} ({bytes} bytes)",
        db.display(),
        file.display()
    );
    Ok(())
}

fn restore(settings: &Settings, file: &std::path::Path) -> Result<(), String> {
    let db = match &settings.database_url {
        store::DatabaseUrl::Postgres(_) => {
            return Err(format!(
                "on PostgreSQL, restore a pg_dump archive into a new database: {PG_RESTORE} \
                 (see README, Backup and restore)"
            ));
        }
        store::DatabaseUrl::Sqlite(db) => db,
    };
    let restored = store::backup::restore(db, file).map_err(|e| e.to_string())?;
    println!(
        "restored {} from {} ({} migrations; {} newer ones are applied at the next start or by `ogi-tracker migrate`)",
        db.display(),
        file.display(),
        restored.migrations,
        restored.pending
    );
    Ok(())
}

fn demo(
    settings: &Settings,
    (cases, departments, seed, how): (usize, usize, u64, ogi_tracker::ops::demo::Fill),
    password: &str,
) -> Result<(), String> {
    let ctx = ogi_tracker::ops::Ctx::open(settings.clone(), ogi_tracker::ops::demo::WORKERS + 1)
        .map_err(|e| e.to_string())?;
    let admin = {
        let mut conn = store::checkout(&ctx.pool).map_err(|e| e.to_string())?;
        // An empty database gets its admin as at the first start.
        if let Bootstrap::Generated(p) =
            ogi_tracker::startup::bootstrap_admin(&mut conn, settings.admin_password.as_deref())
                .map_err(|e| e.to_string())?
        {
            eprintln!("created user admin with password (shown once): {p}");
        }
        store::users::find_by_username(&mut conn, "admin")
            .map_err(|e| e.to_string())?
            .ok_or("no user admin: start the service once (it creates admin) or run migrate")?
    };
    let actor = ogi_tracker::ops::session::authenticate(&ctx, admin.id, admin.token_version)
        .map_err(|e| e.to_string())?;
    let started = std::time::Instant::now();
    let report =
        ogi_tracker::ops::demo::fill(&ctx, &actor, cases, departments, password, seed, how)
            .map_err(|e| e.to_string())?;
    eprintln!("made in {:.1} s", started.elapsed().as_secs_f64());
    println!(
        "{}",
        serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?
    );
    Ok(())
}

fn read_or_generate_password(password_stdin: bool) -> Result<(String, bool), String> {
    if password_stdin {
        let mut line = String::new();
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| e.to_string())?;
        Ok((line.trim_end_matches(['\r', '\n']).to_owned(), false))
    } else {
        Ok((password::generate().map_err(|e| e.to_string())?, true))
    }
}

fn op_message(e: ogi_tracker::ops::OpError) -> String {
    match e {
        ogi_tracker::ops::OpError::Invalid(fields) => fields
            .0
            .iter()
            .map(|(k, v)| format!("{k}: {v}"))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}

fn reset_password(settings: &Settings, username: &str, password_stdin: bool) -> Result<(), String> {
    let (plain, generated) = read_or_generate_password(password_stdin)?;
    let ctx = ogi_tracker::ops::Ctx::open(settings.clone(), 1).map_err(|e| e.to_string())?;
    let user =
        ogi_tracker::ops::org::reset_password(&ctx, None, username, &plain).map_err(op_message)?;
    println!(
        "password of {} (id {}) reset; earlier sessions ended",
        user.username, user.id
    );
    if generated {
        println!("password (shown once): {plain}");
    }
    Ok(())
}

fn add_user(
    settings: &Settings,
    username: String,
    display_name: String,
    role: &str,
    department_id: Option<i64>,
    email: Option<String>,
    password_stdin: bool,
) -> Result<(), String> {
    let role = Role::parse(role).ok_or("--role must be clerk, supervisor, auditor or admin")?;
    if role.needs_department() && department_id.is_none() {
        return Err("--department-id is required for clerks and supervisors".into());
    }
    let (plain, generated) = read_or_generate_password(password_stdin)?;
    let ctx = ogi_tracker::ops::Ctx::open(settings.clone(), 1).map_err(|e| e.to_string())?;
    let input = ogi_tracker::ops::org::UserIn {
        username,
        display_name,
        email,
        role: role.as_str().to_owned(),
        department_id,
        password: plain.clone(),
    };
    // The console acts as the operator: the same checks as the API, no acting user.
    let user = ogi_tracker::ops::org::create_user(&ctx, None, input).map_err(op_message)?;
    println!("created user {} (id {})", user.username, user.id);
    if generated {
        println!("password (shown once): {plain}");
    }
    Ok(())
}
