DROP TABLE audit_phone_checks;
DROP TABLE audit_letter_replies;
DROP TABLE audit_letters;
DROP TABLE audit_targets;
DROP TABLE audit_campaigns;
