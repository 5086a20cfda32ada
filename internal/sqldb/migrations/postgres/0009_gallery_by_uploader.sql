-- The gallery filtered by who added the items, in the gallery's order: a
-- member with few items among many is found without reading the rest.
CREATE INDEX media_gallery_uploader ON media(group_id, uploader_id, taken_at, id);
