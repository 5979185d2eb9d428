//! Hand-written diesel schema shared by both backends (print-schema output differs per
//! backend). `tests/api/schema_check.rs` compares it with both migration sets.

diesel::table! {
    departments (id) {
        id -> BigInt,
        name -> Text,
        code -> Text,
        kind -> Text,
        level -> Text,
        parent_id -> Nullable<BigInt>,
        region -> Text,
        address -> Nullable<Text>,
        phone -> Nullable<Text>,
        reconsideration_organ_name -> Nullable<Text>,
        reconsideration_organ_address -> Nullable<Text>,
        reconsideration_organ_phone -> Nullable<Text>,
        court_name -> Nullable<Text>,
        court_address -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    users (id) {
        id -> BigInt,
        username -> Text,
        display_name -> Text,
        email -> Nullable<Text>,
        role -> Text,
        department_id -> Nullable<BigInt>,
        active -> Bool,
        password_hash -> Text,
        token_version -> Integer,
        failed_logins -> Integer,
        last_failed_at -> Nullable<Timestamp>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    calendar_years (id) {
        id -> BigInt,
        layer -> Text,
        year -> Integer,
        version -> Integer,
        data -> Text,
        source -> Text,
        imported_by -> BigInt,
        imported_at -> Timestamp,
    }
}

diesel::joinable!(users -> departments (department_id));
diesel::joinable!(calendar_years -> users (imported_by));
diesel::allow_tables_to_appear_in_same_query!(departments, users, calendar_years);
