DROP FUNCTION ogi_keep_answer(json);
ALTER TABLE search_grams ADD CONSTRAINT search_grams_case_id_fkey
    FOREIGN KEY (case_id) REFERENCES cases (id);
