DROP INDEX cases_running_due;
