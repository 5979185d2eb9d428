ALTER TABLE departments DROP COLUMN fax;
ALTER TABLE departments DROP COLUMN office_hours;
ALTER TABLE departments DROP COLUMN office_name;
