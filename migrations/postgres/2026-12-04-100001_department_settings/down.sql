ALTER TABLE departments DROP COLUMN regional_holidays;
ALTER TABLE departments DROP COLUMN fee_pauses_clock;
ALTER TABLE departments DROP COLUMN court_designated;
