-- Per-article representations, stories, threads and builds.

-- One row per article and representation kind ('dense', 'entities', ...): computed once, reused
-- by every later build. `method` names the implementation and version that produced it.
CREATE TABLE article_features (
    article_id  TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    method      TEXT NOT NULL,
    data        BLOB NOT NULL,
    PRIMARY KEY (article_id, kind)
);

CREATE TABLE builds (
    id           INTEGER PRIMARY KEY,
    started_at   TEXT NOT NULL,
    finished_at  TEXT,
    method       TEXT NOT NULL,
    last_seq     INTEGER NOT NULL DEFAULT 0,   -- articles.seq up to which assignments are done
    summary      TEXT
);

-- Story ids are never reused or renumbered (AUTOINCREMENT).
CREATE TABLE stories (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    pinned_key    TEXT UNIQUE,                 -- caller's story key: members never moved
    title         TEXT,
    title_method  TEXT,
    first_seen    TEXT,
    last_seen     TEXT,
    n_articles    INTEGER NOT NULL DEFAULT 0,
    merged_into   INTEGER REFERENCES stories(id),
    centroid      BLOB,                        -- mean dense vector (float16), for threads
    top_entities  TEXT,                        -- JSON list, most frequent first
    method        TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX stories_last_seen ON stories(last_seen);

CREATE TABLE story_articles (
    article_id   TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    story_id     INTEGER NOT NULL REFERENCES stories(id),
    score        REAL,
    assigned_by  TEXT NOT NULL,
    build_id     INTEGER REFERENCES builds(id)
);
CREATE INDEX story_articles_story ON story_articles(story_id);

CREATE TABLE threads (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    title       TEXT,
    method      TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

CREATE TABLE story_threads (
    story_id   INTEGER PRIMARY KEY REFERENCES stories(id),
    thread_id  INTEGER NOT NULL REFERENCES threads(id),
    score      REAL
);
CREATE INDEX story_threads_thread ON story_threads(thread_id);

-- Running corpus statistics behind the representations (document frequencies, capitalisation).
CREATE TABLE corpus_stats (
    kind   TEXT NOT NULL,
    key    TEXT NOT NULL,
    value  INTEGER NOT NULL,
    PRIMARY KEY (kind, key)
);
