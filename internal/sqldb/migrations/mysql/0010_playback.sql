-- A video's playback rendition (H.264 in MP4, that every browser and phone
-- plays): where it stands, why it failed, and its size, which the instance's
-- admin sees as storage but no uploader's allowance counts.
ALTER TABLE media ADD COLUMN playback_status VARCHAR(32) NOT NULL DEFAULT 'none';
ALTER TABLE media ADD COLUMN playback_failure VARCHAR(32);
ALTER TABLE media ADD COLUMN playback_bytes BIGINT NOT NULL DEFAULT 0;
-- Videos that are already in a gallery get their rendition too: one job
-- each, named after its item (ids of both are made the same way, and each
-- item has one such job). Those still processing get theirs when they are
-- ready, as new ones do.
UPDATE media SET playback_status = 'pending' WHERE kind = 'video' AND status IN ('ready', 'processing');
-- CHAR(34) is a double quote: on MySQL the migration runner turns double
-- quotes into identifier quotes, inside literals too.
INSERT INTO jobs (id, kind, payload, attempts, run_at, locked_until, last_error, created_at, subject)
    SELECT id, 'playback_rendition', CONCAT('{', CHAR(34 USING utf8mb4), 'media_id', CHAR(34 USING utf8mb4), ':', CHAR(34 USING utf8mb4), id, CHAR(34 USING utf8mb4), '}'), 0, 0, 0, '', uploaded_at, object_key
    FROM media WHERE kind = 'video' AND status = 'ready';
