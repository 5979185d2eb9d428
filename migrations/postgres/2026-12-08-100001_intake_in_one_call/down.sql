DROP FUNCTION ogi_write_intake(json);
