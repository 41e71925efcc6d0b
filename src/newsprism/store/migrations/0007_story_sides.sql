-- Each story's originals and distinct sources per side, so that the story list can be filtered
-- by side and by blindspot over the whole archive with one query. `sides_key` names what the
-- sides were computed with (outlet ratings and aliases, rating sources switched off, the
-- article-lean model and its threshold): a row with another key, or older than its story's
-- last change, is stale and recomputed before a filtered list is answered.
CREATE TABLE story_sides (
    story_id      INTEGER PRIMARY KEY REFERENCES stories(id),
    sides_key     TEXT NOT NULL,
    orig_left     INTEGER NOT NULL,
    orig_center   INTEGER NOT NULL,
    orig_right    INTEGER NOT NULL,
    orig_unrated  INTEGER NOT NULL,
    src_left      INTEGER NOT NULL,
    src_center    INTEGER NOT NULL,
    src_right     INTEGER NOT NULL,
    src_unrated   INTEGER NOT NULL,
    computed_at   TEXT NOT NULL
);
CREATE INDEX story_sides_key ON story_sides (sides_key);
