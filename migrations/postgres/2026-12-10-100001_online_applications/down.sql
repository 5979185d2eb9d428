DROP TABLE rate_windows;
DROP TABLE online_codes;
