-- Court designated under centralised jurisdiction (行政诉讼法 Art. 18(2)), and the RULES.md
-- readings marked [configurable], per department (defaults as RULES.md).
ALTER TABLE departments ADD COLUMN court_designated BOOLEAN NOT NULL DEFAULT 0;
ALTER TABLE departments ADD COLUMN fee_pauses_clock BOOLEAN NOT NULL DEFAULT 1;
ALTER TABLE departments ADD COLUMN regional_holidays BOOLEAN NOT NULL DEFAULT 1;
