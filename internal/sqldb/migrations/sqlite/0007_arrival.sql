-- What a job is about (a media job: the original's object key), so that the
-- door that saw the bytes arrive can run that job itself, under its lease.
-- Jobs queued before this have none and are run by the workers as before.
ALTER TABLE jobs ADD COLUMN subject TEXT NOT NULL DEFAULT '';
CREATE INDEX jobs_subject ON jobs(kind, subject);

-- When the store says the original's bytes were stored: the time from there
-- to the item being ready is what a member waits.
ALTER TABLE media ADD COLUMN stored_at INTEGER;
