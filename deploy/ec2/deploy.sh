#!/usr/bin/env bash
# Deploys one image tag of wmory on this machine: pulls it, replaces the running
# container, waits until it answers /readyz, and puts the previous tag back if it
# does not. The CD workflow runs it on the EC2 instance through SSM Run Command.
#
#   deploy.sh REGISTRY/REPOSITORY:TAG
#
# Settings (environment):
#   WMORY_ENV_FILE       the container's environment (default /etc/wmory/env)
#   WMORY_CONTAINER      the container's name (default wmory)
#   WMORY_PORT           the port wmory listens on, WMORY_ADDR's (default 8080)
#   WMORY_READY_SECONDS  how long the new version may take to be ready (default 120)
#   WMORY_STATE_DIR      where the running and previous tags are kept (default /var/lib/wmory)
#   WMORY_VOLUME         the volume mounted at /data (default wmory-data)
# Pulling from ECR needs a docker login first (the instance's role allows it):
#   aws ecr get-login-password | docker login --username AWS --password-stdin REGISTRY
set -euo pipefail

image=${1:?usage: deploy.sh REGISTRY/REPOSITORY:TAG}
env_file=${WMORY_ENV_FILE:-/etc/wmory/env}
name=${WMORY_CONTAINER:-wmory}
port=${WMORY_PORT:-8080}
ready_seconds=${WMORY_READY_SECONDS:-120}
state=${WMORY_STATE_DIR:-/var/lib/wmory}
volume=${WMORY_VOLUME:-wmory-data}
mkdir -p "$state"

log() { printf 'deploy: %s\n' "$*" >&2; }

run() { # image: replaces the container with one of that image
	docker rm -f "$name" >/dev/null 2>&1 || true
	docker run -d --name "$name" --restart unless-stopped --network host \
		--env-file "$env_file" -v "$volume:/data" "$1" serve >/dev/null
}

ready() { # waits for /readyz, for as long as allowed
	local deadline=$((SECONDS + ready_seconds))
	while [ "$SECONDS" -lt "$deadline" ]; do
		if curl -fsS -o /dev/null --max-time 5 "http://127.0.0.1:$port/readyz"; then
			return 0
		fi
		if [ "$(docker inspect -f '{{.State.Running}}' "$name" 2>/dev/null)" != true ] &&
			[ "$(docker inspect -f '{{.RestartCount}}' "$name" 2>/dev/null || echo 0)" -ge 3 ]; then
			return 1 # it keeps dying: no point waiting longer
		fi
		sleep 2
	done
	return 1
}

log "pulling $image"
docker pull --quiet "$image" >/dev/null
previous=$(cat "$state/current" 2>/dev/null || true)

log "starting $image"
run "$image"
if ready; then
	if [ -n "$previous" ] && [ "$previous" != "$image" ]; then
		printf '%s\n' "$previous" >"$state/previous"
	fi
	printf '%s\n' "$image" >"$state/current"
	log "$image is ready"
	exit 0
fi

log "$image did not become ready in ${ready_seconds}s; its last lines:"
docker logs --tail 20 "$name" >&2 || true
if [ -z "$previous" ]; then
	log "no previous version to go back to"
	exit 1
fi
log "rolling back to $previous"
run "$previous"
if ready; then
	log "rolled back: $previous is ready"
else
	log "the previous version $previous is not ready either"
fi
exit 1
