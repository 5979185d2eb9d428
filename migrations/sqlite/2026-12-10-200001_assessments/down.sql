DROP TABLE rectification_items;
DROP TABLE assessment_periods;
