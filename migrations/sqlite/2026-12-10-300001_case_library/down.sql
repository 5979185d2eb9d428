DROP TABLE library_entry_topics;
DROP TABLE library_entries;
