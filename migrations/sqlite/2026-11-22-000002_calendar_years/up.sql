-- Calendar years imported at run time (a new national year, a corrected regional year).
-- Every import is kept; the highest version of a (layer, year) is in force over the bundled
-- data. `layer` is 'national' or a province region code such as '450000'.
CREATE TABLE calendar_years (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    layer TEXT NOT NULL,
    year INTEGER NOT NULL,
    version INTEGER NOT NULL,
    data TEXT NOT NULL,
    source TEXT NOT NULL,
    imported_by BIGINT NOT NULL REFERENCES users (id),
    imported_at TIMESTAMP NOT NULL,
    UNIQUE (layer, year, version)
);
