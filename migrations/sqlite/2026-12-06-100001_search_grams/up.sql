-- The words search's index: for every searched text of a case (applicant name, case number,
-- each item's description), folded to ASCII lower case, the substring of up to two
-- characters starting at each position: every bigram, plus the text's last character. A
-- query of two or more characters needs each of its bigrams here; a single character is a
-- prefix range (its bigrams, or a text ending in it). Chinese searches are often two
-- characters (地块, 征收), which FTS5's trigram tokenizer cannot serve. The list verifies
-- every candidate with the exact LIKE, so this table only has to hold a superset.
CREATE TABLE search_grams (
    gram TEXT NOT NULL,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    PRIMARY KEY (gram, case_id)
) WITHOUT ROWID;

-- Existing cases: the same grams, computed in SQL (lower() folds ASCII only; substr and
-- length count characters).
WITH RECURSIVE texts (id, t) AS (
    SELECT id, lower(applicant_name) FROM cases
    UNION ALL
    SELECT id, lower(case_number) FROM cases
    UNION ALL
    SELECT case_id, lower(description) FROM case_items
), positions (id, t, i) AS (
    SELECT id, t, 1 FROM texts WHERE length(t) > 0
    UNION ALL
    SELECT id, t, i + 1 FROM positions WHERE i < length(t)
)
INSERT OR IGNORE INTO search_grams (gram, case_id)
SELECT DISTINCT substr(t, i, 2), id FROM positions;
