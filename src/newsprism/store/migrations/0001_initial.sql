-- Articles, their near-duplicate fingerprints, and the record of ingest runs.
CREATE TABLE ingest_runs (
    id            INTEGER PRIMARY KEY,
    started_at    TEXT NOT NULL,
    finished_at   TEXT,
    sources       TEXT NOT NULL,          -- JSON list of what the user named
    summary       TEXT                    -- JSON counts per outcome
);

CREATE TABLE articles (
    id                   TEXT PRIMARY KEY,   -- caller's id (JSON Lines) or derived np-<hash>
    url                  TEXT,               -- normalised
    outlet_name          TEXT,
    outlet_domain        TEXT,               -- registrable domain of the URL
    title                TEXT,
    author               TEXT,
    published            TEXT,               -- ISO 8601 with offset (UTC); NULL = unknown
    published_precision  TEXT CHECK (published_precision IN ('datetime', 'day')),
    language             TEXT,
    language_confidence  REAL,
    body                 TEXT NOT NULL,
    content_hash         TEXT NOT NULL,
    ingested_at          TEXT NOT NULL,
    source_kind          TEXT NOT NULL,
    source_ref           TEXT NOT NULL,
    extraction_method    TEXT NOT NULL,
    story_key            TEXT,
    extra                TEXT NOT NULL DEFAULT '{}',   -- JSON: caller fields we do not model
    provenance           TEXT NOT NULL DEFAULT '{}',   -- JSON: how inferred fields were found
    duplicate_of         TEXT REFERENCES articles(id),
    duplicate_similarity REAL,
    duplicate_method     TEXT,
    run_id               INTEGER REFERENCES ingest_runs(id),
    seq                  INTEGER NOT NULL              -- insertion order, stable
);
CREATE UNIQUE INDEX articles_seq ON articles(seq);
CREATE INDEX articles_url ON articles(url) WHERE url IS NOT NULL;
CREATE INDEX articles_hash ON articles(content_hash);
CREATE INDEX articles_duplicate_of ON articles(duplicate_of) WHERE duplicate_of IS NOT NULL;
CREATE INDEX articles_published ON articles(published);
CREATE INDEX articles_story_key ON articles(story_key) WHERE story_key IS NOT NULL;

-- MinHash signatures (datasketch) and their LSH band keys, for near-duplicate look-up
-- without loading the archive into memory.
CREATE TABLE article_minhash (
    article_id  TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    method      TEXT NOT NULL,
    signature   BLOB NOT NULL
);
CREATE TABLE lsh_bands (
    band        INTEGER NOT NULL,
    key         BLOB NOT NULL,
    article_id  TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE
);
CREATE INDEX lsh_bands_key ON lsh_bands(band, key);
