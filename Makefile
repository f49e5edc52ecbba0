# make test runs everything CI runs. External tools (cfn-lint, the AWS CLI,
# moto_server) are used when present; SWITCHBOARD_REQUIRE_TOOLS=1 makes their
# absence a failure instead of a skip, as .ci/run does.
GO ?= go

.PHONY: test test-race test-race-free test-browser vet generate check-generated check-assets bench run

# sharedtools starts one headless Chromium and one moto_server that every
# package's tests share (each test gets a browser context and an AWS
# account of its own in them).
test: vet check-generated
	$(GO) run ./internal/testtool/sharedtools $(MAKE) --no-print-directory -j3 test-race test-race-free test-browser

# Packages whose code starts no goroutine: the race detector has nothing of
# theirs to watch, and under it their tests (goformation, SQLite, cfn-lint
# round trips) took a fifth of the suite's time. The server's tests, under
# -race, call them from many goroutines. TestRaceFreePackagesStartNoGoroutine
# (internal/testtool) fails when one of them starts one.
RACE_FREE := ./internal/cfn/... ./internal/export/... ./internal/importer/... ./internal/model/... ./internal/publish/... ./internal/web/...

# Packages whose single-goroutine tests sit in files built only without the
# race detector (//go:build !race), which test-race-free runs, and whose
# concurrency tests sit in files it leaves out (//go:build race ||
# !racesplit), which test-race runs. Under -race the store's SQLite (C
# translated to Go) ran four times slower, for nothing the detector could
# find in one goroutine. TestRaceSplitFilesStartNoGoroutine
# (internal/testtool) keeps the files honest.
RACE_SPLIT := ./cmd/switchboard ./internal/gitlink ./internal/store

# Every other test runs with the race detector, except the canvas's browser
# tests, which run beside them without it: they drive Chromium, whose CPU
# the detector does not check, and the server code they reach runs under
# -race in the package's HTTP tests.
test-race:
	$(GO) test -race -count=1 -skip '^TestBrowser' $$($(GO) list ./... | grep -vxF "$$($(GO) list $(RACE_FREE))")

test-race-free:
	$(GO) test -count=1 -tags racesplit $(RACE_FREE) $(RACE_SPLIT)

test-browser:
	$(GO) test -count=1 -run '^TestBrowser' ./internal/server

vet:
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	$(GO) vet ./...

# Regenerates the templ components; the output is committed so go run needs no generator.
generate:
	$(GO) tool templ generate

# Fails when committed generated code is stale (templ docs, CI/CD).
check-generated:
	@$(GO) tool templ generate >/dev/null 2>&1
	@git diff --exit-code -- '*_templ.go' >/dev/null 2>&1 || { echo "generated templ code is stale: run make generate and commit"; git --no-pager diff --stat -- '*_templ.go'; exit 1; }

# Fails when the committed web bundle is not what internal/web/src builds to (needs
# npm ci first); CI runs it, since go run serves the committed bundle.
check-assets:
	@npm run --silent build
	@git diff --exit-code -- internal/web/static/dist >/dev/null 2>&1 || { echo "web/static/dist is stale: run npm run build and commit"; git --no-pager diff --stat -- internal/web/static/dist; exit 1; }

bench:
	$(GO) test -run '^$$' -bench . -benchmem ./...

run:
	$(GO) run ./cmd/switchboard serve
