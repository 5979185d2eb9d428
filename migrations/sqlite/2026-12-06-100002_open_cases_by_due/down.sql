DROP INDEX cases_status_due;
