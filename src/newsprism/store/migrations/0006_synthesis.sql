-- The stored synthesis of each story (summary, key points, facts, people and places, timeline).
-- `fingerprint` hashes what it was computed from (member articles and their content, sides,
-- methods, settings): a story whose fingerprint changed is recomputed on the next request.
CREATE TABLE story_synthesis (
    story_id     INTEGER PRIMARY KEY REFERENCES stories(id),
    fingerprint  TEXT NOT NULL,
    method       TEXT NOT NULL,
    data         TEXT NOT NULL,   -- JSON (Synthesis.to_dict())
    created_at   TEXT NOT NULL
);
