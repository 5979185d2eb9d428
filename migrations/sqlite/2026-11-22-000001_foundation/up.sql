-- Organisation and accounts. Instants are UTC; enums are TEXT (shared SQL types only).
CREATE TABLE departments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    code TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    level TEXT NOT NULL,
    parent_id BIGINT REFERENCES departments (id),
    region TEXT NOT NULL,
    address TEXT,
    phone TEXT,
    reconsideration_organ_name TEXT,
    reconsideration_organ_address TEXT,
    reconsideration_organ_phone TEXT,
    court_name TEXT,
    court_address TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX departments_parent ON departments (parent_id);

CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    email TEXT,
    role TEXT NOT NULL,
    department_id BIGINT REFERENCES departments (id),
    active BOOLEAN NOT NULL DEFAULT 1,
    password_hash TEXT NOT NULL,
    token_version INTEGER NOT NULL DEFAULT 1,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    last_failed_at TIMESTAMP,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX users_department ON users (department_id);
