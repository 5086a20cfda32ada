# wmory: `make run` starts a zero-configuration instance on http://localhost:8080,
# `make test` runs the whole test suite (CI runs exactly this).
GO ?= go
BIN := bin/wmory

.PHONY: run build test deps vet fmt bench

run: deps build
	./$(BIN) serve

build:
	$(GO) build -o $(BIN) ./cmd/wmory

VERSITYGW := github.com/versity/versitygw/cmd/versitygw@v1.8.0
# libvips (through govips, with cgo) makes thumbnails; ffmpeg/ffprobe handle video.
APT_PACKAGES := libvips-dev ffmpeg gcc pkg-config
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Installs what the build and the tests need when it is missing: Debian packages,
# Go modules, and versitygw, the S3-compatible server the S3 store is tested against.
deps:
	@command -v $(GO) >/dev/null || { echo "Go 1.26 or newer is required: https://go.dev/doc/install"; exit 1; }
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; fi
	$(GO) mod download
	@command -v versitygw >/dev/null || test -x "$$($(GO) env GOPATH)/bin/versitygw" || \
		{ echo "installing versitygw (test S3 server)"; $(GO) install $(VERSITYGW); }

test: deps
	$(GO) vet ./...
	@test -z "$$(gofmt -l .)" || { echo "gofmt would change:"; gofmt -l .; exit 1; }
	$(GO) test -race -count=1 ./...

fmt:
	gofmt -w .

# Benchmarks (not tests): wmory side by side with plain tools, as a Markdown table
# (docs/benchmarks.md keeps the latest), then the Go benchmark of photo processing.
bench: deps
	$(GO) run ./bench -photos ../shared/bench-photos
	$(GO) test -run XXX -bench . -benchtime 40x ./internal/imaging/
