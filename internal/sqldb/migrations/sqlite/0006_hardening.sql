-- When a member was removed from a group (not when one left): an invite made
-- before the removal no longer admits them.
CREATE TABLE member_removals (
    id TEXT PRIMARY KEY,
    group_id TEXT NOT NULL REFERENCES "groups"(id) ON DELETE CASCADE,
    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    removed_at INTEGER NOT NULL
);
CREATE INDEX member_removals_member ON member_removals(group_id, user_id, removed_at);

-- Every e-mail queued, by recipient: the hourly cap per address counts here,
-- whatever triggered the mail.
CREATE TABLE mail_log (
    id TEXT PRIMARY KEY,
    address TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE INDEX mail_log_address ON mail_log(address, at);
CREATE INDEX mail_log_at ON mail_log(at);

-- Why an item failed, as a reason code (details go to the log, never here).
ALTER TABLE media ADD COLUMN failure_reason TEXT;

-- The store's objects are matched to their rows by key: the local store at
-- every upload, the reconciliation for every object it lists.
CREATE INDEX media_object_key ON media(object_key);

-- The answer a refused upload got (code, message, fields) as JSON: an upload
-- the server completed or refused on arrival gives the client's later
-- complete the same answer.
ALTER TABLE uploads ADD COLUMN refusal TEXT;
