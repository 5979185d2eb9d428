-- The 指南 (Art. 12) from the department's own settings: the OGI office's name when it is not
-- the department's, its office hours and fax (address and phone are already kept here).
ALTER TABLE departments ADD COLUMN office_name TEXT;
ALTER TABLE departments ADD COLUMN office_hours TEXT;
ALTER TABLE departments ADD COLUMN fax TEXT;
