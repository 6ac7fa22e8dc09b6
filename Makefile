# partnerhub: the two commands of the README, and what they stand on. `make help` lists the targets.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
BENCH_RESULTS ?= bench-results

.DEFAULT_GOAL := help
.PHONY: help install install-dev browser wrk oidc-provider start test lint typecheck unit bench

help:  ## Show the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(BIN)/python  ## Install partnerhub into .venv
	$(BIN)/python -m pip install --quiet -e .

install-dev: $(BIN)/python browser wrk oidc-provider  ## Install partnerhub and its test tools into .venv
	$(BIN)/python -m pip install --quiet -e ".[dev]"

browser:  ## Install Debian's chromium for the real-browser tests (tests/browser), unless it is already there
	@command -v chromium >/dev/null || { SUDO=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
		$$SUDO apt-get update && $$SUDO apt-get install -y chromium; }

oidc-provider:  ## Install Debian's nodejs and npm if missing, then the test OpenID provider pinned in tests/oidc (npm ci)
	@command -v npm >/dev/null || { SUDO=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
		$$SUDO apt-get update && $$SUDO apt-get install -y nodejs npm; }
	@command -v node >/dev/null && command -v npm >/dev/null || { echo "node and npm are needed for the single sign-on tests" >&2; exit 1; }
	@[ tests/oidc/node_modules/.package-lock.json -nt tests/oidc/package-lock.json ] || \
		npm ci --prefix tests/oidc --no-audit --no-fund

wrk:  ## Install Debian's wrk for the HTTP load tests and the benchmark, unless it is already there
	@command -v wrk >/dev/null || { SUDO=$$([ "$$(id -u)" -eq 0 ] || echo sudo); \
		$$SUDO apt-get update && $$SUDO apt-get install -y wrk; }

start: install  ## Install, migrate, load the demo data and serve on http://$(HOST):$(PORT) (SQLite by default)
	$(BIN)/partnerhub db upgrade
	$(BIN)/partnerhub demo
	$(BIN)/partnerhub serve --host $(HOST) --port $(PORT)

lint: install-dev  ## ruff: the lint rules, and the formatting (`ruff format src tests` applies it)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

typecheck: install-dev  ## mypy --strict on the package
	$(BIN)/mypy

unit: install-dev  ## pytest only (SQLite and PostgreSQL)
	$(BIN)/pytest -n 2

test: install-dev browser lint typecheck  ## Install and run every check and test (SQLite and PostgreSQL)
	$(BIN)/pytest -n 2

bench: install wrk  ## Install Debian's wrk if missing; run the small benchmark on SQLite and PostgreSQL (JSON in bench-results/)
	@mkdir -p $(BENCH_RESULTS)
	$(BIN)/partnerhub bench --scale small --database sqlite --json $(BENCH_RESULTS)/small-sqlite.json
	$(BIN)/partnerhub bench --scale small --database postgresql --json $(BENCH_RESULTS)/small-postgresql.json
