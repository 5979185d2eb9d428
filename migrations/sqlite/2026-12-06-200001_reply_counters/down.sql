DROP TABLE reply_counters;
