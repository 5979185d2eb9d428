-- Every case list marks the cases whose reply a reconsideration or a court corrected: it
-- looks up its page's cases among the corrected remedies only, a handful beside all the
-- remedies filed (each lookup otherwise walked the whole remedies index for its case).
CREATE INDEX remedies_corrected ON remedies (case_id) WHERE outcome = 'corrected';
