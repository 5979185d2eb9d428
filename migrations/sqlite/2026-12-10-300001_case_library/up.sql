-- The typical-case library (案例库, RULES.md §9; seeds 002 and 004). A supervisor marks a
-- finished case typical (`topics`, `note`); the entry keeps an anonymised copy of the request
-- items, the reply letter, its reasons, the outcome with its article and the remedy results,
-- made when marked (the original stays on the case and is read from there). `status`:
-- pending (待审阅) | published | withdrawn. Only published entries are in the library.
-- `search_text` is the copy's words in one lower-cased text for the words search (a scan of
-- the published entries the indexed filters leave: library scale). Versioned (If-Match).
CREATE TABLE library_entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    department_id BIGINT NOT NULL REFERENCES departments (id),
    status TEXT NOT NULL CHECK (status IN ('pending', 'published', 'withdrawn')),
    title TEXT NOT NULL,
    note TEXT NOT NULL,
    outcome TEXT NOT NULL,
    article INTEGER,
    article_label TEXT,
    items TEXT NOT NULL,
    reply_text TEXT NOT NULL,
    reasons TEXT,
    remedies TEXT NOT NULL,
    replied_on DATE NOT NULL,
    search_text TEXT NOT NULL,
    marked_by BIGINT NOT NULL REFERENCES users (id),
    published_by BIGINT REFERENCES users (id),
    published_on DATE,
    withdrawn_reason TEXT,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    CHECK ((status = 'withdrawn') = (withdrawn_reason IS NOT NULL))
);
CREATE INDEX library_entries_status ON library_entries (status, outcome);
CREATE INDEX library_entries_article ON library_entries (status, article);
CREATE INDEX library_entries_case ON library_entries (case_id);

-- The topic tags of an entry (专题), one row each, for the topic filter.
CREATE TABLE library_entry_topics (
    entry_id BIGINT NOT NULL REFERENCES library_entries (id),
    topic TEXT NOT NULL,
    PRIMARY KEY (entry_id, topic)
);
CREATE INDEX library_entry_topics_topic ON library_entry_topics (topic);
