DROP TABLE idempotency_keys;
DROP TABLE audit_records;
DROP TABLE case_events;
DROP TABLE case_items;
DROP TABLE cases;
