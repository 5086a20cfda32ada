-- When a member was removed from a group (not when one left): an invite made
-- before the removal no longer admits them.
CREATE TABLE member_removals (
    id VARCHAR(26) PRIMARY KEY,
    group_id VARCHAR(26) NOT NULL,
    user_id VARCHAR(26) NOT NULL,
    removed_at BIGINT NOT NULL,
    FOREIGN KEY (group_id) REFERENCES "groups"(id) ON DELETE CASCADE,
    FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX member_removals_member ON member_removals(group_id, user_id, removed_at);

-- Every e-mail queued, by recipient: the hourly cap per address counts here,
-- whatever triggered the mail.
CREATE TABLE mail_log (
    id VARCHAR(26) PRIMARY KEY,
    address VARCHAR(254) NOT NULL,
    at BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE INDEX mail_log_address ON mail_log(address, at);
CREATE INDEX mail_log_at ON mail_log(at);

-- Throttle keys carry an e-mail address ("acct:" + up to 254 bytes).
ALTER TABLE login_throttle MODIFY throttle_key VARCHAR(300) NOT NULL;

-- Why an item failed, as a reason code (details go to the log, never here).
ALTER TABLE media ADD COLUMN failure_reason VARCHAR(32);

-- The store's objects are matched to their rows by key: the local store at
-- every upload, the reconciliation for every object it lists.
CREATE INDEX media_object_key ON media(object_key);

-- The answer a refused upload got (code, message, fields) as JSON: an upload
-- the server completed or refused on arrival gives the client's later
-- complete the same answer.
ALTER TABLE uploads ADD COLUMN refusal TEXT;
