-- Full-text search (SQLite FTS5) over article titles and texts, and over story titles and
-- their top entities (articles keyed by their stable `seq`, stories by id). Both indexes are
-- external-content tables kept in sync by triggers: every insert, update and delete of an
-- article or story is indexed in the same transaction.

CREATE VIRTUAL TABLE articles_fts USING fts5(
    title, body, content='articles', content_rowid='seq',
    tokenize='unicode61 remove_diacritics 2'
);
INSERT INTO articles_fts (articles_fts) VALUES ('rebuild');

CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts (rowid, title, body) VALUES (new.seq, new.title, new.body);
END;
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, body)
    VALUES ('delete', old.seq, old.title, old.body);
END;
CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, body ON articles BEGIN
    INSERT INTO articles_fts (articles_fts, rowid, title, body)
    VALUES ('delete', old.seq, old.title, old.body);
    INSERT INTO articles_fts (rowid, title, body) VALUES (new.seq, new.title, new.body);
END;

CREATE VIRTUAL TABLE stories_fts USING fts5(
    title, top_entities, content='stories', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2'
);
INSERT INTO stories_fts (stories_fts) VALUES ('rebuild');

CREATE TRIGGER stories_fts_insert AFTER INSERT ON stories BEGIN
    INSERT INTO stories_fts (rowid, title, top_entities)
    VALUES (new.id, new.title, new.top_entities);
END;
CREATE TRIGGER stories_fts_delete AFTER DELETE ON stories BEGIN
    INSERT INTO stories_fts (stories_fts, rowid, title, top_entities)
    VALUES ('delete', old.id, old.title, old.top_entities);
END;
CREATE TRIGGER stories_fts_update AFTER UPDATE OF title, top_entities ON stories BEGIN
    INSERT INTO stories_fts (stories_fts, rowid, title, top_entities)
    VALUES ('delete', old.id, old.title, old.top_entities);
    INSERT INTO stories_fts (rowid, title, top_entities)
    VALUES (new.id, new.title, new.top_entities);
END;

-- The story list is paged newest first.
CREATE INDEX IF NOT EXISTS stories_live_last_seen ON stories(last_seen DESC, id DESC)
    WHERE merged_into IS NULL AND n_articles > 0;
