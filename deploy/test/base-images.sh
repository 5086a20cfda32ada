#!/usr/bin/env bash
# Makes the base images the Dockerfile names (debian:bookworm-slim,
# golang:GO-bookworm, node:NODE-bookworm-slim) on a machine that reaches no
# image registry, from Debian's archive and this machine's own Go and Node:
# the Dockerfile then builds unchanged, as it would with the real images. The
# images carry this machine's trust store, as real ones carry the public one.
#
#   DOCKER_HOST=unix:///path/docker.sock deploy/test/base-images.sh GO_VERSION NODE_VERSION
set -euo pipefail
go_version=$1
node_version=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Each image is made only when the daemon lacks it.
have() { docker image inspect "$1" >/dev/null 2>&1; }

if ! have debian:bookworm-slim; then
root=$work/root
debootstrap --variant=minbase bookworm "$root" http://deb.debian.org/debian >"$work/debootstrap.log" 2>&1 ||
	{ tail -20 "$work/debootstrap.log" >&2; exit 1; }
mkdir -p "$root/etc/ssl/certs" "$root/usr/local/share/ca-certificates"
cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
if [ -d /usr/local/share/ca-certificates ]; then
	cp -r /usr/local/share/ca-certificates/. "$root/usr/local/share/ca-certificates/"
fi
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
tar -C "$root" -c . | docker import --change 'CMD ["bash"]' - debian:bookworm-slim >/dev/null
fi

# Go: the base, the C toolchain the real image has, and this machine's Go.
if ! have "golang:$go_version-bookworm"; then
goroot=$(go env GOROOT)
mkdir -p "$work/go"
printf '%s\n' \
	'FROM debian:bookworm-slim' \
	'RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends gcc libc6-dev make pkg-config git ca-certificates && rm -rf /var/lib/apt/lists/*' \
	'COPY go /usr/local/go' \
	'ENV GOPATH=/go PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin GOTOOLCHAIN=local' \
	'WORKDIR /go' >"$work/go/Dockerfile"
cp -a "$goroot" "$work/go/go"
docker build --network host -q -t "golang:$go_version-bookworm" "$work/go" >/dev/null
fi

# Node: the base and this machine's node and npm.
if ! have "node:$node_version-bookworm-slim"; then
node=$(command -v node)
npm_dir=$(dirname "$(readlink -f "$(command -v npm)")")/..
mkdir -p "$work/node"
cp "$node" "$work/node/node"
cp -a "$npm_dir" "$work/node/npm"
printf '%s\n' \
	'FROM debian:bookworm-slim' \
	'COPY node /usr/local/bin/node' \
	'COPY npm /usr/local/lib/node_modules/npm' \
	'RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx' \
	'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt' \
	'CMD ["node"]' >"$work/node/Dockerfile"
docker build --network host -q -t "node:$node_version-bookworm-slim" "$work/node" >/dev/null
fi

# The services compose.yaml names: PostgreSQL from Debian's package behind an
# entrypoint that honours the official image's settings, and this machine's
# versitygw where the official image keeps it.
here=$(dirname "$0")
if ! have postgres:15-bookworm; then
mkdir -p "$work/postgres"
cp "$here/postgres-entrypoint.sh" "$work/postgres/entrypoint.sh"
printf '%s\n' \
	'FROM debian:bookworm-slim' \
	'RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql-15 && pg_dropcluster 15 main && rm -rf /var/lib/apt/lists/*' \
	'ENV PATH=/usr/lib/postgresql/15/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
	'COPY entrypoint.sh /usr/local/bin/docker-entrypoint.sh' \
	'ENTRYPOINT ["sh", "/usr/local/bin/docker-entrypoint.sh"]' >"$work/postgres/Dockerfile"
docker build --network host -q -t postgres:15-bookworm "$work/postgres" >/dev/null
fi
if ! have versity/versitygw:v1.8.0; then
mkdir -p "$work/versitygw"
versitygw=$(command -v versitygw || echo "$(go env GOPATH)/bin/versitygw")
cp "$versitygw" "$work/versitygw/versitygw"
printf '%s\n' \
	'FROM debian:bookworm-slim' \
	'COPY versitygw /app/versitygw' \
	'ENTRYPOINT ["/app/versitygw"]' >"$work/versitygw/Dockerfile"
docker build --network host -q -t versity/versitygw:v1.8.0 "$work/versitygw" >/dev/null
fi
echo "base images ready: debian:bookworm-slim golang:$go_version-bookworm node:$node_version-bookworm-slim postgres:15-bookworm versity/versitygw:v1.8.0"
