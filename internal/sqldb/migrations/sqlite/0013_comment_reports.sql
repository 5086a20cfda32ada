-- A report may be about a comment rather than the item itself: it goes into
-- the same queue, names the comment, and never hides the item.
ALTER TABLE reports ADD COLUMN comment_id TEXT;
CREATE INDEX reports_of_comment ON reports(comment_id, status);
