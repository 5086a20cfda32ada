#!/bin/sh
# The entrypoint of the stand-in for the official postgres image (tests on a
# machine without a registry): on first start it makes the cluster with
# POSTGRES_USER, POSTGRES_PASSWORD (or POSTGRES_PASSWORD_FILE) and POSTGRES_DB,
# reachable over the network with a password, as the official image does.
set -eu
PGDATA=${PGDATA:-/var/lib/postgresql/data}
for bin in /usr/lib/postgresql/*/bin; do :; done # the newest version's
user=${POSTGRES_USER:-postgres}
db=${POSTGRES_DB:-$user}
if [ ! -s "$PGDATA/PG_VERSION" ]; then
	mkdir -p "$PGDATA"
	chown postgres:postgres "$PGDATA"
	chmod 700 "$PGDATA"
	password=${POSTGRES_PASSWORD:-}
	if [ -n "${POSTGRES_PASSWORD_FILE:-}" ]; then
		password=$(cat "$POSTGRES_PASSWORD_FILE")
	fi
	pwfile=$(mktemp)
	printf '%s\n' "$password" >"$pwfile"
	chown postgres "$pwfile"
	su postgres -s /bin/sh -c "$bin/initdb -D '$PGDATA' -U '$user' --pwfile='$pwfile' --auth=scram-sha-256" >/dev/null
	rm -f "$pwfile"
	echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"
	echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
	if [ "$db" != postgres ]; then
		echo "CREATE DATABASE \"$db\" OWNER \"$user\"" | su postgres -s /bin/sh -c "$bin/postgres --single -D '$PGDATA' postgres" >/dev/null
	fi
fi
exec su postgres -s /bin/sh -c "exec $bin/postgres -D '$PGDATA'"
