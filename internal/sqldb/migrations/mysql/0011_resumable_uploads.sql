-- Resumable uploads: the store's multipart upload the client sends parts to
-- (NULL for an upload in one PUT), and the length of its parts.
ALTER TABLE uploads ADD COLUMN multipart_id VARCHAR(200);
ALTER TABLE uploads ADD COLUMN part_size BIGINT NOT NULL DEFAULT 0;
-- The reconciliation of stores asks which multipart uploads still belong to
-- a pending upload.
CREATE INDEX uploads_multipart ON uploads(multipart_id);
