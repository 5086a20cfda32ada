-- Named leases make a periodic task run in one process at a time across all
-- of them.
CREATE TABLE leases (
    name VARCHAR(64) PRIMARY KEY,
    holder VARCHAR(64) NOT NULL,
    "until" BIGINT NOT NULL
);
