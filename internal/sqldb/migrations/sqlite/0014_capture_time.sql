-- Where an item's capture time came from: the file ("camera") or, when the
-- file says nothing, the upload ("upload"). Items already in galleries whose
-- time differs from their upload's got it from their file.
ALTER TABLE media ADD COLUMN taken_at_source TEXT NOT NULL DEFAULT 'upload';
UPDATE media SET taken_at_source = 'camera' WHERE taken_at <> uploaded_at;
-- The uploader's time zone (IANA), when the app said it: a camera clock the
-- file gives without an offset is read in it.
ALTER TABLE uploads ADD COLUMN time_zone TEXT;
