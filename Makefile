# The few verbs a newcomer needs. Each installs what it uses.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
WEB_SOURCES := $(shell find web/src web/public web/index.html web/package.json web/vite.config.ts web/tsconfig.json web/openapi.json -type f 2>/dev/null)
WEB_DIST := web/dist/index.html
SERVICES := scripts/services

.PHONY: help run test test-embedded test-production test-web fuzz lint format web openapi services services-down bench screenshots clean

help:
	@echo "make run    start the server on the embedded defaults (http://127.0.0.1:8000)"
	@echo "make test   run the whole suite (API, real-time, browser) on SQLite+memory+files and PostgreSQL+Kafka+S3 at once"
	@echo "make lint   ruff + mypy (strict)"
	@echo "make bench  benchmarks (BENCH=quick or BENCH=full)"
	@echo "make fuzz   schemathesis at a large budget (FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) per operation and round, FUZZ_SECONDS=$(FUZZ_SECONDS))"
	@echo "make screenshots  refresh docs/screenshots from the browser tests"

$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.lock
	$(PY) -m pip install -q --no-deps -e .
	touch $@

web/node_modules/.package-lock.json: web/package-lock.json
	cd web && npm ci --no-audit --no-fund
	touch $@

$(WEB_DIST): web/node_modules/.package-lock.json $(WEB_SOURCES) $(STAMP)
	cd web && npm run build
	$(PY) -m owlistic.web.precompress web/dist

web: $(WEB_DIST)

# The web client's API types come from this schema: regenerate after changing the API.
openapi: $(STAMP)
	$(PY) -m owlistic openapi web/openapi.json
	cd web && npm run gen:api

run: $(STAMP) $(WEB_DIST)
	$(PY) -m owlistic serve

services: $(STAMP)
	$(SERVICES)/postgres.sh up
	$(SERVICES)/kafka.sh up
	$(SERVICES)/s3.sh up
	$(SERVICES)/chromium.sh

services-down:
	-$(SERVICES)/s3.sh down
	-$(SERVICES)/kafka.sh down
	-$(SERVICES)/postgres.sh down

test-embedded: $(STAMP) $(WEB_DIST)
	$(SERVICES)/chromium.sh >/dev/null
	$(PY) -m pytest -q -p no:cacheprovider

test-production: $(STAMP) $(WEB_DIST) services
	OWLISTIC_TEST_DATABASE_URL=$$($(SERVICES)/postgres.sh url) \
	OWLISTIC_TEST_BROKER_URL=kafka://$$($(SERVICES)/kafka.sh bootstrap) \
	OWLISTIC_TEST_STORAGE_URL="$$($(SERVICES)/s3.sh url)" \
	$(PY) -m pytest -q -p no:cacheprovider

# The web app's unit tests (Vitest): pure parts of the client, no server.
test-web: web/node_modules/.package-lock.json
	cd web && npm test

test: $(STAMP) $(WEB_DIST) services
	@echo "== web unit tests =="
	$(MAKE) --no-print-directory test-web
	@echo "== both stacks at once: embedded defaults (SQLite + in-process broker) and production"
	@echo "   (PostgreSQL + Kafka + S3); each run's output is printed whole when it ends =="
	$(MAKE) --no-print-directory -j2 --output-sync=target test-embedded test-production

# Schemathesis (all checks, stateful) at a large budget; `make test` runs it at a small one.
# The run stops when FUZZ_SECONDS are spent (fuzzing and stateful rounds repeat until then)
# and prints how many cases it ran.
FUZZ_EXAMPLES ?= 50
FUZZ_SECONDS ?= 600
fuzz: $(STAMP)
	OWLISTIC_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) OWLISTIC_FUZZ_SECONDS=$(FUZZ_SECONDS) $(PY) -m pytest -q -s -p no:cacheprovider \
		tests/api/test_schemathesis.py

lint: $(STAMP)
	$(VENV)/bin/ruff check owlistic tests bench
	$(VENV)/bin/ruff format --check owlistic tests bench
	$(VENV)/bin/mypy owlistic tests bench
	$(VENV)/bin/lint-imports --no-cache

format: $(STAMP)
	$(VENV)/bin/ruff format owlistic tests bench
	$(VENV)/bin/ruff check --fix owlistic tests bench

screenshots: $(STAMP) $(WEB_DIST)
	$(SERVICES)/chromium.sh >/dev/null
	OWLISTIC_SCREENSHOTS=1 $(PY) -m pytest -q -p no:cacheprovider tests/browser/test_screenshots.py

bench: $(STAMP) $(WEB_DIST) services
	$(PY) -m bench $(if $(BENCH),--$(BENCH),)

clean:
	rm -rf $(VENV) web/node_modules web/dist data .pytest_cache .mypy_cache .ruff_cache
