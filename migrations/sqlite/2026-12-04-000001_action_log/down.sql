DROP TABLE action_log;
