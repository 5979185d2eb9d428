DROP INDEX remedies_corrected;
