-- Online applications (issue 20). An application made on the public form gets a query code
-- (>= 128 random bits) shown once to the applicant; only its SHA-256 is kept, so a reader of
-- the database cannot look a case up with what is stored here.
CREATE TABLE online_codes (
    case_id BIGINT PRIMARY KEY REFERENCES cases (id),
    code_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);

-- Fixed-window rate limits of the public pages, shared by every instance: hits of one
-- client (a SHA-256 of its address, not the address) in one kind of request (`bucket`:
-- submit | lookup) within the window starting at `window_start`.
CREATE TABLE rate_windows (
    bucket TEXT NOT NULL,
    client TEXT NOT NULL,
    window_start TIMESTAMP NOT NULL,
    hits INTEGER NOT NULL,
    PRIMARY KEY (bucket, client, window_start)
);
CREATE INDEX rate_windows_start ON rate_windows (window_start);
