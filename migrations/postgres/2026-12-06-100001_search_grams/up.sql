-- The words search's index: for every searched text of a case (applicant name, case number,
-- each item's description), folded to ASCII lower case, the substring of up to two
-- characters starting at each position: every bigram, plus the text's last character. A
-- query of two or more characters needs each of its bigrams here; a single character is a
-- prefix range (its bigrams, or a text ending in it). Chinese searches are often two
-- characters (地块, 征收), which a trigram index cannot serve. The list verifies every
-- candidate with the exact LIKE, so this table only has to hold a superset.
-- "C" collation: byte order, so a one-character prefix is a contiguous range.
CREATE TABLE search_grams (
    gram TEXT COLLATE "C" NOT NULL,
    case_id BIGINT NOT NULL REFERENCES cases (id),
    PRIMARY KEY (gram, case_id)
);

-- Existing cases: the same grams, computed in SQL (substr counts characters).
INSERT INTO search_grams (gram, case_id)
SELECT DISTINCT substr(t, i, 2), id
FROM (
    SELECT id, translate(applicant_name, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') AS t FROM cases
    UNION ALL
    SELECT id, translate(case_number, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') FROM cases
    UNION ALL
    SELECT case_id, translate(description, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') FROM case_items
) texts
CROSS JOIN LATERAL generate_series(1, char_length(t)) AS i;
