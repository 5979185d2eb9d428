DROP TABLE annual_publications;
