-- The words search's text of each case beside it: the applicant's name, the case number and
-- each item's description, each after a U+001F (unit separator). A query without that
-- character matches the text exactly when it matches one of those texts, so a search that
-- walks the cases in order (a common word: 征收 in a tenth of a million cases) tests one
-- column of the row it has already read, where it ran a subquery over the items of every
-- case it passed. The gram index (search_grams) still finds the candidates of a rare word.
-- NULL: not known (a case written by an instance of the previous release during a rolling
-- restart); the search then matches that case's name, number and items themselves.
ALTER TABLE cases ADD COLUMN search_text TEXT;

-- Existing cases get their text in the next migration, a transaction of its own: adding
-- the column locks the table against reads too, but only for a moment.

-- Instances of the previous release correct a case's name or items without knowing the
-- text: their update names applicant_name and leaves the text as it was. An update that
-- names applicant_name and does not change the text forgets it (NULL, see above). This
-- release names applicant_name only when the name changes, and then with the new text
-- (store::cases::update_intake). A later migration may drop the trigger.
CREATE FUNCTION ogi_forget_stale_search_text() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.search_text IS NOT DISTINCT FROM OLD.search_text THEN
        NEW.search_text := NULL;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER cases_search_text_stale BEFORE UPDATE OF applicant_name ON cases
    FOR EACH ROW EXECUTE FUNCTION ogi_forget_stale_search_text();
