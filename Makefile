# ipmediate — common tasks. `make help` lists them.
GO        ?= go
BIN       ?= bin/ipmediate
STATICCHECK_VERSION ?= v0.8.2
TEST_FLAGS ?= -count=1 -timeout 45m
# The calendar pass moves the wall clock the code reads (build tag
# clockshift, see internal/clock) to these instants: inside the December
# window of the annual work report, and in the Spring Festival.
CALENDAR_DATES ?= 2026-12-10T09:30:00+08:00 2027-02-08T10:00:00+08:00

.PHONY: help run build test test-race test-all test-calendar test-deps lint bench fmt clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

run: ## start the whole system with demo data (web + worker in one process, demo clock at /admin/clock)
	$(GO) run ./cmd/ipmediate serve --demo --with-worker --time-travel

build: ## build the binary into bin/
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN) ./cmd/ipmediate

# The packages whose code runs concurrently (the authorization snapshot and
# its reload listener, the scheduler's leadership, the relay, the sweeper,
# the worker pool, the demo clock, the PDF writer's shared fonts) run under
# the race detector; the whole
# suite under -race would not fit CI's time on two cores (docs/testing.md).
RACE_PKGS ?= ./internal/authz/ ./internal/clock/ ./internal/notify/... ./internal/worker/ ./internal/app/ ./internal/pdf/

test: test-race test-all test-calendar ## run every test (unit, end-to-end, browser) on the real PostgreSQL and Redis: race detector, today, then two other calendar days

test-race: test-deps ## the concurrent packages under the race detector
	$(GO) test $(TEST_FLAGS) -race $(RACE_PKGS)

test-all: test-deps ## every test once, on today's wall clock
	$(GO) test $(TEST_FLAGS) ./...

test-calendar: test-deps ## every test again with the wall clock moved to December and to the Spring Festival: fails where a test depends on today's date
	@set -e; for at in $(CALENDAR_DATES); do \
	  echo "== the whole suite with the wall clock at $$at"; \
	  IPM_TEST_WALL_CLOCK=$$at $(GO) test $(TEST_FLAGS) -tags clockshift ./...; \
	done

test-deps: ## start PostgreSQL/Redis if stopped, install Chromium if missing
	@bash scripts/ensure-test-deps.sh

lint: ## go vet, staticcheck and gofmt
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { echo "gofmt needed:"; gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...

# The benchmark database: a million synthetic cases, seeded once (COPY, a few
# minutes) and reused; see docs/benchmarks.md.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/ipm_bench?sslmode=disable
BENCH_CASES        ?= 1000000

bench: test-deps ## measure the docs/design.md §13 targets on $(BENCH_CASES) cases, then run the Go benchmarks
	IPM_DATABASE_URL='$(BENCH_DATABASE_URL)' $(GO) run ./cmd/ipmediate bench seed --cases $(BENCH_CASES)
	IPM_DATABASE_URL='$(BENCH_DATABASE_URL)' $(GO) run ./cmd/ipmediate bench list
	IPM_DATABASE_URL='$(BENCH_DATABASE_URL)' $(GO) run ./cmd/ipmediate bench intake --duration 20s --clients 4
	IPM_DATABASE_URL='$(BENCH_DATABASE_URL)' $(GO) run ./cmd/ipmediate bench stats
	IPM_DATABASE_URL='$(BENCH_DATABASE_URL)' $(GO) run ./cmd/ipmediate bench history --rows 5000000 --verify
	IPM_BENCH_CASES=$(BENCH_CASES) $(GO) test -run '^$$' -bench . -benchmem -count=1 -timeout 60m ./...

fmt: ## format the code
	gofmt -w $$(git ls-files '*.go')

clean: ## remove build output and test artefacts
	rm -rf bin testdata/artifacts
