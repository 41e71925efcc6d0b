-- The article-lean model reads English only: an article whose language is known and is not
-- English is now left unrated. Estimates an earlier version stored for such articles (it put
-- German and Spanish texts on a side) are removed, and the side counts of their stories are
-- dropped so that they are recounted before the story list is next filtered.
CREATE TEMP TABLE not_english AS
    SELECT id FROM articles
    WHERE language IS NOT NULL AND trim(language) <> ''
      AND lower(trim(language)) <> 'en'
      AND lower(trim(language)) NOT LIKE 'en-%'
      AND lower(trim(language)) NOT LIKE 'en\_%' ESCAPE '\';
DELETE FROM story_sides WHERE story_id IN (
    SELECT sa.story_id FROM story_articles AS sa
    JOIN article_leans AS al ON al.article_id = sa.article_id
    WHERE al.article_id IN (SELECT id FROM not_english)
);
DELETE FROM article_leans WHERE article_id IN (SELECT id FROM not_english);
DROP TABLE not_english;
