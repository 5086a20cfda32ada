# wmory's container image: one image runs serve (the default), worker, migrate,
# admin, and the thumbnail function on AWS Lambda (command "lambda").
#
#   docker build -t wmory --build-arg VERSION=1.2.3 --build-arg REVISION=$(git rev-parse HEAD) .
#   docker run -p 8080:8080 -v wmory-data:/data wmory
#
# Nothing secret is built in: configuration comes from the environment (or
# *_FILE secrets) when the container starts.

ARG GO_VERSION=1.26
ARG NODE_VERSION=20

# The app's web build, which the binary embeds.
FROM node:${NODE_VERSION}-bookworm-slim AS app
WORKDIR /src/client
COPY client/package.json client/package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY client/ ./
RUN npx expo export --platform web --output-dir /out/webapp --clear

# The binary: cgo against libvips.
FROM golang:${GO_VERSION}-bookworm AS build
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libvips-dev pkg-config \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
COPY --from=app /out/webapp/ internal/webapp/dist/
RUN CGO_ENABLED=1 go build -trimpath -tags lambda.norpc -ldflags "-s -w" -o /out/wmory ./cmd/wmory

# The runtime: Debian's libvips and ffmpeg, then everything neither they nor
# wmory load taken out again (Debian's ffmpeg brings X11, sound servers, Mesa
# and LLVM along; the image needs none of them).
FROM debian:bookworm-slim
COPY --from=build /out/wmory /usr/local/bin/wmory
COPY deploy/image/prune.sh /usr/local/lib/wmory/prune.sh
# One layer: what the pruning removes must never have been in a layer.
RUN dpkg-query -W -f='${Package}\n' > /usr/local/lib/wmory/base-packages \
    && apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends libvips42 ffmpeg ca-certificates tzdata \
    && sh /usr/local/lib/wmory/prune.sh /usr/local/lib/wmory/base-packages /usr/local/bin/wmory /usr/bin/ffmpeg /usr/bin/ffprobe \
    && useradd --system --uid 10001 --user-group --home-dir /data --shell /usr/sbin/nologin wmory \
    && mkdir -p /data && chown wmory:wmory /data
ARG VERSION=dev
ARG REVISION=unknown
LABEL org.opencontainers.image.title="wmory" \
      org.opencontainers.image.description="Private, group-based photo and video gallery" \
      org.opencontainers.image.source="https://github.com/wmory/wmory" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"
ENV WMORY_DATA_DIR=/data \
    WMORY_ADDR=:8080
USER wmory
WORKDIR /data
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=6s --start-period=20s --retries=3 CMD ["wmory", "healthcheck"]
ENTRYPOINT ["wmory"]
CMD ["serve"]
