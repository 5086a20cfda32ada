-- The SHA-256 a client declares is signed into the upload URL, so the store
-- itself refuses other bytes; once completed it is the media's verified hash,
-- unique within a group.
ALTER TABLE uploads ADD COLUMN sha256 CHAR(64);
ALTER TABLE media ADD COLUMN sha256 CHAR(64);
CREATE UNIQUE INDEX media_group_sha256 ON media(group_id, sha256);
