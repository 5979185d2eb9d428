DROP INDEX cases_unconfirmed;
