DROP TABLE case_counters;
