//! Generated and hand-kept artefacts checked against the code: the OpenAPI file against the
//! route table, `schema.rs` against both migration sets, and the CLI's configuration errors.

use std::collections::{BTreeMap, BTreeSet};

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Text};
use ogi_tracker::store::{self, DbConnection};

/// (METHOD, path) pairs under `paths:` in api-spec/openapi.yaml. The file keeps paths at two
/// spaces of indent and operations at four, which this reader relies on.
fn spec_routes() -> BTreeSet<(String, String)> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/api-spec/openapi.yaml"
    ))
    .unwrap();
    let mut in_paths = false;
    let mut current = None;
    let mut out = BTreeSet::new();
    for line in text.lines() {
        if !line.starts_with(' ') && !line.trim().is_empty() {
            in_paths = line.trim_end() == "paths:";
            continue;
        }
        if !in_paths {
            continue;
        }
        if let Some(path) = line.strip_prefix("  /").and_then(|l| l.strip_suffix(':')) {
            current = Some(format!("/{}", path.trim_matches('"')));
        } else if let Some(op) = line.strip_prefix("    ").and_then(|l| l.strip_suffix(':')) {
            let op = op.trim();
            if ["get", "post", "put", "patch", "delete"].contains(&op) {
                out.insert((
                    op.to_uppercase(),
                    current.clone().expect("operation under a path"),
                ));
            }
        }
    }
    out
}

#[test]
fn openapi_documents_exactly_the_routes() {
    let routes: BTreeSet<(String, String)> = ogi_tracker::http::route_list().into_iter().collect();
    let spec = spec_routes();
    let undocumented: Vec<_> = routes.difference(&spec).collect();
    let unimplemented: Vec<_> = spec.difference(&routes).collect();
    assert!(
        undocumented.is_empty(),
        "routes missing from api-spec/openapi.yaml: {undocumented:?}"
    );
    assert!(
        unimplemented.is_empty(),
        "spec paths with no route: {unimplemented:?}"
    );
}

/// table → column → (type family, nullable), read from src/store/schema.rs.
fn schema_rs() -> BTreeMap<String, BTreeMap<String, (String, bool)>> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/src/store/schema.rs"))
        .unwrap();
    let mut tables = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in text.lines().map(str::trim) {
        if let Some((name, _)) = line.split_once(" (").filter(|_| line.ends_with('{')) {
            current = Some(name.to_owned());
            tables.insert(name.to_owned(), BTreeMap::new());
        } else if let (Some(t), Some((col, ty))) = (&current, line.split_once(" -> ")) {
            let ty = ty.trim_end_matches(',');
            let (nullable, inner) = match ty.strip_prefix("Nullable<") {
                Some(i) => (true, i.trim_end_matches('>')),
                None => (false, ty),
            };
            tables
                .get_mut(t)
                .unwrap()
                .insert(col.to_owned(), (family(inner), nullable));
        } else if line == "}" {
            current = None;
        }
    }
    tables
}

/// Folds diesel and SQL type names into comparable families.
fn family(ty: &str) -> String {
    let t = ty.to_lowercase();
    let f = if t.contains("int") || t == "bigserial" {
        "integer"
    } else if t.contains("text") || t.contains("char") {
        "text"
    } else if t.contains("bool") {
        "bool"
    } else if t.contains("timestamp") {
        "timestamp"
    } else if t == "date" {
        "date"
    } else if t.contains("blob") || t == "bytea" || t == "binary" {
        "binary"
    } else {
        ty
    };
    f.to_owned()
}

#[derive(QueryableByName)]
struct Column {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    name: String,
    #[diesel(sql_type = Text)]
    ty: String,
    #[diesel(sql_type = Bool)]
    nullable: bool,
}

#[test]
fn schema_rs_matches_the_migrations() {
    let (url, _guard) = crate::helpers::fresh_database_for_schema();
    let pool = store::connect(&url, 1).unwrap();
    let mut conn = pool.get().unwrap();
    store::migrate(&mut conn, &crate::helpers::audit_key()).unwrap();
    let columns: Vec<Column> = match &mut **conn {
        DbConnection::Sqlite(c) => diesel::sql_query(
            "SELECT m.name AS table_name, p.name AS name, p.type AS ty, (p.\"notnull\" = 0 AND p.pk = 0) AS nullable \
             FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name NOT LIKE '__diesel%'",
        )
        .load(c)
        .unwrap(),
        DbConnection::Pg(c) => diesel::sql_query(
            "SELECT table_name::text AS table_name, column_name::text AS name, data_type::text AS ty, \
             (is_nullable = 'YES') AS nullable FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name NOT LIKE '__diesel%'",
        )
        .load(c)
        .unwrap(),
    };
    let mut db: BTreeMap<String, BTreeMap<String, (String, bool)>> = BTreeMap::new();
    for c in columns {
        db.entry(c.table_name)
            .or_default()
            .insert(c.name, (family(&c.ty), c.nullable));
    }
    assert_eq!(
        schema_rs(),
        db,
        "src/store/schema.rs differs from the migrations"
    );
    let _ = conn.batch_execute("SELECT 1");
}

#[test]
fn bad_configuration_fails_fast_naming_the_variable() {
    let bin = env!("CARGO_BIN_EXE_ogi-tracker");
    for (var, value) in [
        ("OGI_BIND", "not-an-address"),
        ("OGI_DATABASE_URL", "mysql://x"),
        ("OGI_LOG_FORMAT", "xml"),
    ] {
        let out = std::process::Command::new(bin)
            .arg("check-config")
            .env(var, value)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{var}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(var), "{var}: {stderr}");
    }
    let out = std::process::Command::new(bin)
        .arg("check-config")
        .env("OGI_DATABASE_URL", "postgres://nobody@127.0.0.1:1/none")
        .env_remove("OGI_JWT_SECRET")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("OGI_JWT_SECRET"));
}
