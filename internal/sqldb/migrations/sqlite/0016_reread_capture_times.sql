-- Items processed before wmory read the camera's UTC offset (migration 0008)
-- have their capture times read again from their files, once, a page at a
-- time: this is the first page's job, when there is any such item.
INSERT INTO jobs (id, kind, payload, attempts, run_at, locked_until, last_error, created_at, subject)
    SELECT '00000000000000000000000016', 'reread_capture', '{}', 0, 0, 0, '', 0, '' FROM media
    WHERE status = 'ready' AND taken_offset IS NULL AND uploaded_at < (SELECT applied_at FROM schema_migrations WHERE version = 8)
    LIMIT 1;
