# wmory: `make run` starts a zero-configuration instance on http://localhost:8080,
# `make test` runs the whole test suite (CI runs exactly this).
GO ?= go
BIN := bin/wmory

.PHONY: run build app app-deps test test-go test-app test-deploy test-infra deps test-deps vet fmt bench lambda-zip

run: deps build
	./$(BIN) serve

# The binary embeds the app's web build (internal/webapp/dist), so build it first.
build: app
	$(GO) build -o $(BIN) ./cmd/wmory

# The Expo app (client/): its node packages, and its web build for wmory to serve.
app-deps:
	@command -v npm >/dev/null || { echo "Node.js 20 or newer with npm is required for the app: https://nodejs.org"; exit 1; }
	@cd client && { [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund; }

app: app-deps
	cd client && npx expo export --platform web --output-dir ../internal/webapp/dist --clear >/dev/null
	@touch internal/webapp/dist/.gitkeep

VERSITYGW := github.com/versity/versitygw/cmd/versitygw@v1.8.0
# AWS's Lambda Runtime Interface Emulator: the thumbnail function's test runs under it.
LAMBDA_RIE := github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie@v0.0.0-20261030222936-bef5c4ba774d
# libvips (through govips, with cgo) makes thumbnails; ffmpeg/ffprobe handle video.
APT_PACKAGES := libvips-dev ffmpeg gcc pkg-config
# Debian's chromium runs the app's browser tests; docker.io and debootstrap build and
# run the container image in its test, shellcheck checks the shell scripts, pgbouncer
# stands in front of PostgreSQL in a second run of its tests, unzip checks the ZIP
# downloads (only `make test` installs them), as do actionlint (the workflows) and a
# registry (the deploy script's test).
APT_TEST_PACKAGES := chromium docker.io debootstrap shellcheck pgbouncer unzip
ACTIONLINT := github.com/rhysd/actionlint/cmd/actionlint@v1.7.12
REGISTRY := github.com/distribution/distribution/v3/cmd/registry@v3.1.2
# Compose v2 (the image's test runs compose.yaml): not packaged for bookworm, and its
# module's replace directives refuse go install, so it is built from the module cache.
COMPOSE := github.com/docker/compose/v2@v2.40.3
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# apt_install installs the Debian packages in $(1) that are missing.
define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing:$$missing"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; fi
endef

# Installs what the build and the tests need when it is missing: Debian packages,
# Go modules, and versitygw, the S3-compatible server the S3 store is tested against.
deps:
	@command -v $(GO) >/dev/null || { echo "Go 1.26 or newer is required: https://go.dev/doc/install"; exit 1; }
	$(call apt_install,$(APT_PACKAGES))
	$(GO) mod download
	@command -v versitygw >/dev/null || test -x "$$($(GO) env GOPATH)/bin/versitygw" || \
		{ echo "installing versitygw (test S3 server)"; $(GO) install $(VERSITYGW); }
	@command -v aws-lambda-rie >/dev/null || test -x "$$($(GO) env GOPATH)/bin/aws-lambda-rie" || \
		{ echo "installing aws-lambda-rie (test Lambda runtime)"; $(GO) install $(LAMBDA_RIE); }

test-deps:
	$(call apt_install,$(APT_TEST_PACKAGES))
	@command -v actionlint >/dev/null || test -x "$$($(GO) env GOPATH)/bin/actionlint" || \
		{ echo "installing actionlint"; $(GO) install $(ACTIONLINT); }
	@command -v registry >/dev/null || test -x "$$($(GO) env GOPATH)/bin/registry" || \
		{ echo "installing registry (distribution)"; $(GO) install $(REGISTRY); }
	@docker compose version >/dev/null 2>&1 || { echo "building docker compose (v2)"; \
		dir=$$(cd "$$(mktemp -d)" && $(GO) mod download -json $(COMPOSE) | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$$/\1/p') && \
		mkdir -p "$$HOME/.docker/cli-plugins" && cd "$$dir" && $(GO) build -o "$$HOME/.docker/cli-plugins/docker-compose" ./cmd; }

test: test-go test-app test-deploy test-infra

test-go: deps test-deps
	$(GO) vet ./...
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt would change:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) test -race -count=1 ./...
	@# Timing tests alone, without the race detector: they compare answer times.
	$(GO) test -tags timing -count=1 -run Timing ./cmd/wmory/

# The app: its API types against the OpenAPI document the server serves, type-check,
# lint (Expo's rules, hooks included, no warnings), the phone bundles, unit tests (the
# API client against a real wmory), and the two-person flow in Debian's chromium;
# screenshots land in test-output/app/.
test-app: deps test-deps build
	cd client && WMORY_BIN=$(CURDIR)/$(BIN) node scripts/api-types.mjs --check
	cd client && npx tsc --noEmit
	cd client && npx eslint --max-warnings 0 .
	@# The phone bundles (iOS, Android) must build too: native-only modules are resolved there.
	cd client && out=$$(mktemp -d) && npx expo export --platform ios --platform android --output-dir $$out >/dev/null && rm -rf $$out
	cd client && WMORY_BIN=$(CURDIR)/$(BIN) npx jest --ci
	cd client && WMORY_BIN=$(CURDIR)/$(BIN) node --test e2e/

# How wmory ships (deploy/, a module of its own): the Dockerfile's lint, and the image
# built and run against MariaDB, versitygw and the Lambda emulator by a Docker daemon
# the test starts (its images and build cache are kept in the user's cache folder).
test-deploy: deps test-deps
	cd deploy && $(GO) vet ./... && $(GO) test -count=1 -timeout 40m ./...

# The AWS infrastructure (infra/, an AWS CDK app in a module of its own): both stacks
# synthesized and checked, property by property, against cdk-nag's AWS Solutions rules
# and CloudFormation's. The CDK library runs on Node.js (20 is enough; it warns it is old).
test-infra: deps
	@command -v node >/dev/null || { echo "Node.js 20 or newer is required for the CDK app: https://nodejs.org"; exit 1; }
	cd infra && $(GO) vet ./... && JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20 $(GO) test -count=1 ./...

fmt:
	gofmt -w .

# Benchmarks (not tests): wmory side by side with plain tools, as a Markdown table
# (docs/benchmarks.md keeps the latest), then the Go benchmark of photo processing.
# WMORY_BENCH_POSTGRES names a PostgreSQL server for the gallery pair (a database is
# created and dropped), e.g. postgres://postgres@127.0.0.1:5432/postgres. BENCH_PHOTOS is
# a folder of 12 MP JPEGs (a phone's photos measure best); when it holds none, 20
# synthetic ones are made there once.
BENCH_PHOTOS ?= bench/photos
bench: deps
	$(GO) run ./bench -photos "$(BENCH_PHOTOS)" -postgres "$(WMORY_BENCH_POSTGRES)"
	WMORY_BENCH_PHOTOS="$(abspath $(BENCH_PHOTOS))" $(GO) test -run XXX -bench . -benchtime 40x ./internal/imaging/

# The thumbnail function as the code of a provided.al2023 Lambda: the wmory binary
# named bootstrap, zipped. It links libvips, so the function needs a layer with
# libvips and ffmpeg; the container image (command "lambda") carries them itself.
lambda-zip: deps
	mkdir -p dist/lambda
	CGO_ENABLED=1 $(GO) build -tags lambda.norpc -trimpath -ldflags "-s -w" -o dist/lambda/bootstrap ./cmd/wmory
	cd dist/lambda && rm -f ../wmory-lambda.zip && zip -q -9 ../wmory-lambda.zip bootstrap
	@ls -l dist/wmory-lambda.zip
