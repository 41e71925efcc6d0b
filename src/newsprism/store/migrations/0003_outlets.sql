-- The outlet registry: outlets, their domains and names, rating sources and their ratings.

CREATE TABLE outlets (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

-- Registrable domains (tldextract, bundled Public Suffix List): one outlet each.
CREATE TABLE outlet_domains (
    domain     TEXT PRIMARY KEY,
    outlet_id  INTEGER NOT NULL REFERENCES outlets(id) ON DELETE CASCADE
);
CREATE INDEX outlet_domains_outlet ON outlet_domains(outlet_id);

-- Names an outlet goes by; `key` is the normalised form ("CNN (Web News)" -> "cnn"). A key
-- shared by several outlets is ambiguous and resolves to none of them.
CREATE TABLE outlet_aliases (
    key        TEXT NOT NULL,
    outlet_id  INTEGER NOT NULL REFERENCES outlets(id) ON DELETE CASCADE,
    alias      TEXT NOT NULL,
    PRIMARY KEY (key, outlet_id)
);
CREATE INDEX outlet_aliases_outlet ON outlet_aliases(outlet_id);

CREATE TABLE rating_sources (
    name           TEXT PRIMARY KEY,
    scale          TEXT NOT NULL,
    origin         TEXT NOT NULL CHECK (origin IN ('bundled', 'user')),
    citation       TEXT,
    licence        TEXT,                  -- licence or terms of use, as the source states them
    url            TEXT,
    rated_on       TEXT,                  -- when the ratings were made (ISO date), if known
    table_version  TEXT,                  -- the bundled table it came from
    method         TEXT NOT NULL,         -- the importer that stored it
    imported_at    TEXT NOT NULL
);

-- One rating per outlet and source: the value as given, and its place on the 7-point scale.
CREATE TABLE outlet_ratings (
    outlet_id  INTEGER NOT NULL REFERENCES outlets(id) ON DELETE CASCADE,
    source     TEXT NOT NULL REFERENCES rating_sources(name) ON DELETE CASCADE,
    value      TEXT NOT NULL,
    lean       TEXT NOT NULL CHECK (lean IN ('far-left', 'left', 'lean-left', 'center',
                                             'lean-right', 'right', 'far-right')),
    score      REAL NOT NULL CHECK (score BETWEEN -1.0 AND 1.0),
    rated_on   TEXT,
    note       TEXT,
    PRIMARY KEY (outlet_id, source)
);
CREATE INDEX outlet_ratings_source ON outlet_ratings(source);
