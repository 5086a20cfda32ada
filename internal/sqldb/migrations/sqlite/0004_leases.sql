-- Named leases make a periodic task run in one process at a time across all
-- of them.
CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    "until" INTEGER NOT NULL
);
