DROP FUNCTION ogi_take_case_seqs(bigint, integer, integer);
DROP FUNCTION ogi_reserve_case(text);
DROP FUNCTION ogi_write_intake(jsonb);
