-- Articles the lean stage examined and left unrated (too little text at `min_words`), so that
-- later builds do not examine them again: without this, every build re-read every short
-- article of the archive, a cost that grew with the archive. A mark counts only for the same
-- model (`method`) and the same `min_words`; another setting examines the article again.
CREATE TABLE article_lean_unrated (
    article_id  TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    method      TEXT NOT NULL,
    min_words   INTEGER NOT NULL,
    PRIMARY KEY (article_id, method, min_words)
);
