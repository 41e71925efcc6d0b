-- Article-level lean estimated from the text alone, one row per article and model version.
-- `method` names the model (e.g. newsprism.article-lean.v1): rows of an older model stay until
-- a build estimates the article with the current one, so stale rows can be found.
CREATE TABLE article_leans (
    article_id     TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    method         TEXT NOT NULL,
    side           TEXT NOT NULL CHECK (side IN ('left', 'center', 'right')),
    probability    REAL NOT NULL CHECK (probability BETWEEN 0 AND 1),
    probabilities  TEXT NOT NULL,   -- JSON {"left": p, "center": p, "right": p}
    evidence       TEXT NOT NULL,   -- JSON list of {kind, text, side, weight}
    created_at     TEXT NOT NULL,
    PRIMARY KEY (article_id, method)
);
CREATE INDEX article_leans_method ON article_leans(method);
