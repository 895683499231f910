# The commands a person types. `make run` and `make test` are the quick start.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev

.PHONY: run test test-sqlite lint format fuzz bench migrate seed clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e .
	touch $@

$(DEV_STAMP): $(STAMP)
	$(BIN)/pip install -q -e ".[dev]"
	touch $@

## run: the embedded setup on http://127.0.0.1:8000 (SQLite, no Redis, demo data, worker + beat;
##      PORT=8123 make run for another port; Ctrl-C stops the web server and the worker)
run: $(STAMP)
	@bash scripts/run_embedded.sh

## test: lint, type-check and the whole suite on PostgreSQL + Redis + Chromium, then the SLA,
##       escalation and web tests again on SQLite (the embedded `make run` database), minus the
##       tests about PostgreSQL itself (marker `postgres`) and the database-free calendar maths
test: $(DEV_STAMP)
	@$(BIN)/python scripts/check_services.py
	@bash scripts/ensure_chromium.sh
	@bash scripts/ensure_dovecot.sh
	@bash scripts/ensure_wrk.sh
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/pytest -q
	$(MAKE) --no-print-directory test-sqlite

## test-sqlite: the SLA, escalation and web tests on SQLite only
test-sqlite: $(DEV_STAMP)
	$(BIN)/pytest -q --ds=helpdesk.settings.test_sqlite -m "not postgres" \
		--ignore=tests/sla/test_calendar_properties.py tests/sla tests/escalation tests/web

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(DEV_STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## fuzz: schemathesis against /api/schema/ as a customer and as a manager (in-process, no
##       network), plus the property-based tests
fuzz: $(DEV_STAMP)
	$(BIN)/pytest -q -p no:logging tests/api/test_fuzz.py $(wildcard tests/*/test_*propert*.py)

## bench: PostgreSQL seeded at 20k, 100k and 1M tickets, then ONE table: the drain with the
##        broker on, pages in-process, gunicorn (production settings, 3 workers) under wrk at 5
##        and 20 clients; each size in a database of its own (bench_20k …), dropped at the end.
##        The quick one: make bench SIZES=20000 LOAD_SECONDS=5 (1M takes ~15 minutes)
SIZES ?= 20000,100000,1000000
LOAD_SECONDS ?= 15
bench: $(STAMP)
	@bash scripts/ensure_wrk.sh
	$(BIN)/python manage.py bench_suite --sizes $(SIZES) --seconds $(LOAD_SECONDS)

migrate: $(STAMP)
	$(BIN)/python manage.py migrate

seed: $(STAMP)
	$(BIN)/python manage.py seed_demo

clean:
	rm -rf var/tierdesk.sqlite3* var/celery var/attachments
