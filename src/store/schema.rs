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
        court_designated -> Bool,
        fee_pauses_clock -> Bool,
        regional_holidays -> Bool,
        fee_method -> Text,
        office_name -> Nullable<Text>,
        office_hours -> Nullable<Text>,
        fax -> Nullable<Text>,
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

diesel::table! {
    cases (id) {
        id -> BigInt,
        department_id -> BigInt,
        case_number -> Text,
        year -> Integer,
        seq -> Integer,
        applicant_type -> Text,
        applicant_name -> Text,
        applicant_id_number -> Nullable<Text>,
        applicant_phone -> Nullable<Text>,
        applicant_email -> Nullable<Text>,
        applicant_address -> Nullable<Text>,
        channel -> Text,
        submitted_on -> Date,
        received_on -> Nullable<Date>,
        tracking_number -> Nullable<Text>,
        purpose -> Nullable<Text>,
        delivery_preference -> Nullable<Text>,
        assignee_id -> Nullable<BigInt>,
        status -> Text,
        due_on -> Nullable<Date>,
        due_sort -> Date,
        receipt_sort -> Date,
        version -> Integer,
        created_by -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        awaiting_approval -> Bool,
        settled_on -> Nullable<Date>,
        conclusion -> Nullable<Text>,
        reply_outcome -> Nullable<Text>,
        search_text -> Nullable<Text>,
    }
}

diesel::table! {
    case_items (id) {
        id -> BigInt,
        case_id -> BigInt,
        position -> Integer,
        description -> Text,
    }
}

diesel::table! {
    search_grams (gram, case_id) {
        gram -> Text,
        case_id -> BigInt,
    }
}

diesel::table! {
    case_events (id) {
        id -> BigInt,
        case_id -> BigInt,
        kind -> Text,
        occurred_on -> Date,
        payload -> Text,
        recorded_by -> BigInt,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    audit_records (id) {
        id -> BigInt,
        case_id -> BigInt,
        seq -> Integer,
        actor_id -> BigInt,
        at -> Timestamp,
        action -> Text,
        before_state -> Nullable<Text>,
        after_state -> Text,
        prev_hash -> Text,
        hash -> Text,
        scheme -> Text,
    }
}

diesel::table! {
    idempotency_keys (id) {
        id -> BigInt,
        user_id -> BigInt,
        idem_key -> Text,
        request_hash -> Text,
        status -> Integer,
        response -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    replies (id) {
        id -> BigInt,
        case_id -> BigInt,
        department_id -> BigInt,
        doc_number -> Nullable<Text>,
        doc_code -> Nullable<Text>,
        doc_year -> Nullable<Integer>,
        doc_seq -> Nullable<Integer>,
        auto_number -> Bool,
        issued_on -> Date,
        dispatched_on -> Nullable<Date>,
        delivery_method -> Text,
        tracking_number -> Nullable<Text>,
        outcome -> Text,
        sealed -> Bool,
        seal_organ -> Nullable<Text>,
        legal_basis -> Text,
        reasons -> Nullable<Text>,
        redirect_to -> Nullable<Text>,
        remedy -> Text,
        body_text -> Nullable<Text>,
        findings -> Text,
        judged_due_on -> Nullable<Date>,
        recorded_by -> BigInt,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    outbox (id) {
        id -> BigInt,
        dedup_key -> Text,
        kind -> Text,
        case_id -> Nullable<BigInt>,
        ref_date -> Date,
        recipient -> Text,
        subject -> Text,
        body -> Text,
        status -> Text,
        attempts -> Integer,
        next_attempt_at -> Timestamp,
        claimed_until -> Nullable<Timestamp>,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    write_lock (id) {
        id -> BigInt,
        n -> BigInt,
    }
}

diesel::joinable!(users -> departments (department_id));
diesel::joinable!(replies -> cases (case_id));
diesel::joinable!(calendar_years -> users (imported_by));
diesel::joinable!(cases -> departments (department_id));
diesel::joinable!(case_items -> cases (case_id));
diesel::joinable!(case_events -> cases (case_id));
diesel::joinable!(search_grams -> cases (case_id));
diesel::allow_tables_to_appear_in_same_query!(
    departments,
    users,
    calendar_years,
    cases,
    case_items,
    search_grams,
    case_events,
    audit_records,
    idempotency_keys,
    replies,
    write_lock,
    outbox,
);

diesel::table! {
    remedies (id) {
        id -> BigInt,
        case_id -> BigInt,
        department_id -> BigInt,
        kind -> Text,
        after_reconsideration -> Bool,
        filed_on -> Date,
        body -> Text,
        case_ref -> Nullable<Text>,
        outcome -> Nullable<Text>,
        decided_on -> Nullable<Date>,
        version -> Integer,
        recorded_by -> BigInt,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        reply_received_on -> Nullable<Date>,
        posted_on -> Nullable<Date>,
    }
}

diesel::joinable!(remedies -> cases (case_id));
// One pair per line: `cases` and `departments` already appear together in the list above,
// and a second impl of that pair would conflict.
diesel::allow_tables_to_appear_in_same_query!(remedies, cases);
diesel::allow_tables_to_appear_in_same_query!(remedies, departments);

diesel::table! {
    audit_campaigns (id) {
        id -> BigInt,
        name -> Text,
        region -> Text,
        statutory_days -> Integer,
        cutoff_on -> Date,
        pass_threshold_bp -> Integer,
        rubric -> Text,
        created_by -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    audit_targets (id) {
        id -> BigInt,
        campaign_id -> BigInt,
        name -> Text,
        category -> Text,
        region -> Nullable<Text>,
        created_at -> Timestamp,
        department_id -> Nullable<BigInt>,
        version -> Integer,
    }
}

diesel::table! {
    audit_letters (id) {
        id -> BigInt,
        campaign_id -> BigInt,
        target_id -> BigInt,
        channel -> Text,
        sent_on -> Date,
        tracking_number -> Nullable<Text>,
        signed_on -> Nullable<Date>,
        created_by -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::table! {
    audit_letter_replies (letter_id) {
        letter_id -> BigInt,
        received_on -> Date,
        dispatched_on -> Nullable<Date>,
        doc_date -> Nullable<Date>,
        doc_number -> Nullable<Text>,
        sealed -> Bool,
        seal_organ -> Nullable<Text>,
        legal_basis -> Text,
        remedy -> Text,
        recorded_by -> BigInt,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    audit_phone_checks (id) {
        id -> BigInt,
        campaign_id -> BigInt,
        target_id -> BigInt,
        called_at -> Timestamp,
        connected -> Bool,
        created_by -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::joinable!(audit_targets -> audit_campaigns (campaign_id));
diesel::joinable!(audit_letters -> audit_targets (target_id));
diesel::joinable!(audit_letter_replies -> audit_letters (letter_id));
diesel::joinable!(audit_phone_checks -> audit_targets (target_id));
diesel::allow_tables_to_appear_in_same_query!(
    audit_campaigns,
    audit_targets,
    audit_letters,
    audit_letter_replies,
    audit_phone_checks,
);

diesel::table! {
    action_log (id) {
        id -> BigInt,
        subject -> Text,
        seq -> Integer,
        actor_id -> Nullable<BigInt>,
        at -> Timestamp,
        action -> Text,
        before_state -> Nullable<Text>,
        after_state -> Text,
        prev_hash -> Text,
        hash -> Text,
        scheme -> Text,
    }
}

diesel::table! {
    web_sessions (id) {
        id -> BigInt,
        token_hash -> Text,
        user_id -> BigInt,
        token_version -> Integer,
        csrf_token -> Text,
        created_at -> Timestamp,
        last_seen_at -> Timestamp,
    }
}

diesel::table! {
    case_notices (id) {
        id -> BigInt,
        case_id -> BigInt,
        kind -> Text,
        title -> Text,
        body -> Text,
        sent_on -> Date,
        recorded_by -> BigInt,
        recorded_at -> Timestamp,
    }
}

diesel::table! {
    attachments (id) {
        id -> BigInt,
        case_id -> BigInt,
        kind -> Text,
        file_name -> Text,
        content_type -> Text,
        size_bytes -> BigInt,
        sha256 -> Text,
        content -> Binary,
        uploaded_by -> BigInt,
        uploaded_at -> Timestamp,
    }
}

diesel::table! {
    calendar_feeds (id) {
        id -> BigInt,
        user_id -> BigInt,
        token_hash -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    case_counters (department_id, year) {
        department_id -> BigInt,
        year -> Integer,
        last_seq -> Integer,
    }
}

diesel::table! {
    reply_counters (department_id, doc_code, year) {
        department_id -> BigInt,
        doc_code -> Text,
        year -> Integer,
        last_seq -> Integer,
    }
}

diesel::table! {
    audit_seals (chain_table) {
        chain_table -> Text,
        legacy_max_id -> BigInt,
        sealed_at -> Timestamp,
        mac -> Text,
    }
}

diesel::table! {
    supervision_orders (id) {
        id -> BigInt,
        office_department_id -> BigInt,
        department_id -> BigInt,
        title -> Text,
        problem -> Text,
        responsible -> Text,
        issued_on -> Date,
        working_days -> Integer,
        status -> Text,
        answered_on -> Nullable<Date>,
        closed_on -> Nullable<Date>,
        issued_by -> BigInt,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    supervision_order_cases (order_id, case_id) {
        order_id -> BigInt,
        case_id -> BigInt,
    }
}

diesel::table! {
    supervision_order_steps (id) {
        id -> BigInt,
        order_id -> BigInt,
        kind -> Text,
        body -> Text,
        recorded_on -> Date,
        recorded_by -> BigInt,
        created_at -> Timestamp,
    }
}

diesel::joinable!(supervision_order_cases -> supervision_orders (order_id));
diesel::allow_tables_to_appear_in_same_query!(supervision_order_cases, supervision_orders);

diesel::table! {
    review_levels (department_id, level) {
        department_id -> BigInt,
        level -> Integer,
        name -> Text,
        role -> Nullable<Text>,
        role_department_id -> Nullable<BigInt>,
        user_ids -> Nullable<Text>,
    }
}

diesel::table! {
    reply_reviews (id) {
        id -> BigInt,
        case_id -> BigInt,
        department_id -> BigInt,
        status -> Text,
        content -> Text,
        revision -> Integer,
        level -> Integer,
        levels -> Integer,
        level_since -> Date,
        approved_revision -> Nullable<Integer>,
        submitted_by -> BigInt,
        reply_id -> Nullable<BigInt>,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    reply_review_steps (id) {
        id -> BigInt,
        review_id -> BigInt,
        revision -> Integer,
        level -> Integer,
        action -> Text,
        comment -> Nullable<Text>,
        override_reason -> Nullable<Text>,
        actor_id -> BigInt,
        acted_on -> Date,
        acted_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(reply_reviews, cases);

diesel::table! {
    library_entries (id) {
        id -> BigInt,
        case_id -> BigInt,
        department_id -> BigInt,
        status -> Text,
        title -> Text,
        note -> Text,
        outcome -> Text,
        article -> Nullable<Integer>,
        article_label -> Nullable<Text>,
        items -> Text,
        reply_text -> Text,
        reasons -> Nullable<Text>,
        remedies -> Text,
        replied_on -> Date,
        search_text -> Text,
        marked_by -> BigInt,
        published_by -> Nullable<BigInt>,
        published_on -> Nullable<Date>,
        withdrawn_reason -> Nullable<Text>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    library_entry_topics (entry_id, topic) {
        entry_id -> BigInt,
        topic -> Text,
    }
}

diesel::joinable!(library_entry_topics -> library_entries (entry_id));
diesel::allow_tables_to_appear_in_same_query!(library_entry_topics, library_entries);

diesel::table! {
    online_codes (case_id) {
        case_id -> BigInt,
        code_hash -> Text,
        created_at -> Timestamp,
    }
}

diesel::table! {
    rate_windows (bucket, client, window_start) {
        bucket -> Text,
        client -> Text,
        window_start -> Timestamp,
        hits -> Integer,
    }
}

diesel::joinable!(online_codes -> cases (case_id));
diesel::allow_tables_to_appear_in_same_query!(online_codes, cases);

diesel::table! {
    assessment_periods (id) {
        id -> BigInt,
        office_department_id -> BigInt,
        title -> Text,
        kind -> Text,
        starts_on -> Date,
        ends_on -> Date,
        scheme -> Text,
        manual_scores -> Text,
        remarks -> Text,
        status -> Text,
        published_on -> Nullable<Date>,
        snapshot -> Nullable<Text>,
        snapshot_sha256 -> Nullable<Text>,
        rectify_working_days -> Nullable<Integer>,
        created_by -> BigInt,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    rectification_items (id) {
        id -> BigInt,
        period_id -> BigInt,
        department_id -> BigInt,
        indicator_key -> Text,
        problem -> Text,
        issued_on -> Date,
        working_days -> Integer,
        status -> Text,
        evidence -> Nullable<Text>,
        remark -> Nullable<Text>,
        done_on -> Nullable<Date>,
        closed_on -> Nullable<Date>,
        version -> Integer,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::joinable!(rectification_items -> assessment_periods (period_id));
diesel::allow_tables_to_appear_in_same_query!(rectification_items, assessment_periods);

diesel::table! {
    annual_publications (id) {
        id -> BigInt,
        department_id -> BigInt,
        include_subtree -> Bool,
        year -> Integer,
        template -> Text,
        version -> Integer,
        snapshot -> Text,
        sha256 -> Text,
        reason -> Nullable<Text>,
        published_by -> BigInt,
        published_at -> Timestamp,
    }
}
