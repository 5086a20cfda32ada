-- The trash: an item deleted from a group stays there, out of every member's
-- sight and still counting as stored, until it is restored or its days are
-- over (then it is purged: its row and objects go). Who trashed it, and when.
ALTER TABLE media ADD COLUMN trashed_at BIGINT;
ALTER TABLE media ADD COLUMN trashed_by VARCHAR(26);
CREATE INDEX media_trash ON media(trashed_at);
