-- The camera's UTC offset in minutes east, when the file recorded one, so
-- that the time is shown as it was where the photo was taken; NULL when the
-- file did not say (its clock is then stored as UTC in taken_at).
ALTER TABLE media ADD COLUMN taken_offset INT;
