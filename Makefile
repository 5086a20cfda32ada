# wmory: `make run` starts a zero-configuration instance on http://localhost:8080,
# `make test` runs the whole test suite (CI runs exactly this).
GO ?= go
BIN := bin/wmory

.PHONY: run build test deps vet fmt

run: deps build
	./$(BIN) serve

build:
	$(GO) build -o $(BIN) ./cmd/wmory

# Installs what the build and the tests need when it is missing. Today that is Go
# itself only (all Go dependencies come through the module proxy); later system
# packages are added here.
deps:
	@command -v $(GO) >/dev/null || { echo "Go 1.26 or newer is required: https://go.dev/doc/install"; exit 1; }
	$(GO) mod download

test: deps
	$(GO) vet ./...
	@test -z "$$(gofmt -l .)" || { echo "gofmt would change:"; gofmt -l .; exit 1; }
	$(GO) test -race -count=1 ./...

fmt:
	gofmt -w .
