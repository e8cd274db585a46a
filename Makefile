# RiskPilot — everyday commands. `make run` serves the embedded demo, `make test` runs the tests.
# Everything runs from the virtualenv in .venv, which the first target that needs it creates.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Re-installing is slow; the stamp records when pyproject.toml was last installed.
INSTALLED := $(VENV)/.installed
PYTEST_ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help run test faults lint format check messages worker beat mailsink clean system-libs bench loadtest

help:
	@echo "make run       install into .venv, migrate, load the demo data, serve http://127.0.0.1:8000"
	@echo "make test      run the tests (PYTEST_ARGS=... passes options to pytest), fault scenarios aside"
	@echo "make faults    the fault scenarios with a real worker, Redis and SMTP (needs a PostgreSQL DATABASE_URL)"
	@echo "make lint      ruff check and ruff format --check"
	@echo "make format    ruff format and ruff check --fix"
	@echo "make check     Django system checks and missing migrations"
	@echo "make messages  re-extract and compile the Russian translations"
	@echo "make worker    a Celery worker on the celery and pdf queues (needs REDIS_URL)"
	@echo "make beat      the Celery beat scheduler (needs REDIS_URL; run exactly one)"
	@echo "make mailsink  a local SMTP server on 127.0.0.1:1025 printing the e-mails it receives"
	@echo "make bench     benchmark the dashboards on PostgreSQL (SCALE=small: under a minute)"
	@echo "make loadtest  50 users for 60 s against gunicorn with the benchmark data (USERS=, DURATION=),"
	@echo "               then the capacity: stepped runs without think time, and a one-query page's"
	@echo "make clean     remove .venv and caches (var/, the demo database, stays)"

# --- Set-up -----------------------------------------------------------------------------------

# Debian's python3 cannot create a virtualenv without python3-venv (ensurepip is missing) and
# leaves a half-made .venv behind that would fool the next run: remove it.
$(VENV)/pyvenv.cfg:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { \
		echo "RiskPilot needs Python 3.11 or newer; $(PYTHON) is $$($(PYTHON) --version 2>&1)."; \
		echo "Run make with PYTHON=python3.11 (or newer)."; exit 1; }
	@$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); \
		echo "install python3-venv: sudo apt-get install python3-venv"; exit 1; }

$(INSTALLED): pyproject.toml $(VENV)/pyvenv.cfg
	$(PY) -m pip install --disable-pip-version-check -e ".[dev]"
	@touch $@

# WeasyPrint loads pango when it is imported; without it every PDF fails, so say so up front.
system-libs: $(INSTALLED)
	@$(PY) -c 'import weasyprint' 2>/dev/null || { \
		echo "WeasyPrint needs pango: sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core"; \
		exit 1; }

# --- Running ----------------------------------------------------------------------------------

run: system-libs
	$(PY) manage.py migrate
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver 127.0.0.1:8000

# One worker for both queues, enough on a laptop. WeasyPrint returns memory to the system only
# when its process exits: a pool child is replaced after 20 tasks or once it holds ~600 MB.
# Production runs the pdf queue on workers of its own (docker-compose.yml).
worker: system-libs
	$(VENV)/bin/celery -A riskpilot worker -Q celery,pdf --concurrency 2 --loglevel INFO \
		--max-tasks-per-child 20 --max-memory-per-child 600000

beat: system-libs
	$(VENV)/bin/celery -A riskpilot beat --loglevel INFO \
		--scheduler django_celery_beat.schedulers:DatabaseScheduler

# An SMTP server on 127.0.0.1:1025 that prints every message it receives (the reports and
# reminders sent by `make worker` with EMAIL_URL=smtp://127.0.0.1:1025).
mailsink: $(INSTALLED)
	$(PY) -m aiosmtpd --nosetuid --listen 127.0.0.1:1025 --class aiosmtpd.handlers.Debugging stdout

# --- Checking ---------------------------------------------------------------------------------

# The fault scenarios (tests marked `fault`) take minutes; `make faults` runs them.
test: system-libs
	$(PY) -m pytest -m "not fault" $(PYTEST_ARGS)

# The integration fault scenarios of tests/integration — worker SIGKILL mid-render, Redis restart,
# SMTP refusing, SMTP down then up, worker SIGKILL during SMTP DATA — each with its own
# redis-server, Celery worker and beat and an SMTP server, on PostgreSQL (DATABASE_URL). Ends with
# a table: scenario, expected, observed, result.
faults: system-libs
	@case "$${DATABASE_URL:-}" in postgres://*) ;; *) \
		echo "make faults needs PostgreSQL: DATABASE_URL=postgres://user@127.0.0.1:5432/name"; exit 1;; esac
	$(PY) -m pytest tests/integration -m fault -p no:cacheprovider $(PYTEST_ARGS)

lint: $(INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(INSTALLED)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check: system-libs
	$(PY) manage.py check
	$(PY) manage.py makemigrations --check --dry-run

# Needs gettext (sudo apt-get install gettext). Without --ignore=.venv Django would also
# extract from, and compile, every installed package's translations.
messages: $(INSTALLED)
	$(PY) manage.py makemessages -l ru --ignore=.venv --ignore=var --ignore=tests --no-location
	$(PY) manage.py compilemessages --ignore=.venv

# --- Benchmark --------------------------------------------------------------------------------

# The dashboards at national scale (SCALE=full: 2,000 enterprises, 1M register rows) or a quick
# look (SCALE=small); the tooling is in bench/. Runs on its own PostgreSQL database per scale,
# created, migrated and filled once by the command (never the development or test database);
# results in bench-results.json.
SCALE ?= full
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/riskpilot_bench_$(SCALE)

bench: $(INSTALLED)
	DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL= DEBUG=false \
		$(PY) manage.py bench_dashboards --scale $(SCALE) --output bench-results.json

# 50 users for 60 s against gunicorn on 127.0.0.1 and the benchmark data of SCALE (default full:
# 1M register rows; generated once, which takes a while), then two stepped runs without think time
# (the mixed workload and a one-query page) for the capacity and their ratio. Results in
# loadtest-results.json.
USERS ?= 50
DURATION ?= 60s
LOADTEST_DATABASE_URL ?= $(BENCH_DATABASE_URL)
loadtest: $(INSTALLED)
	$(PY) -m pip install --disable-pip-version-check -q -e ".[load]"
	$(PY) bench/loadtest/run.py --database $(LOADTEST_DATABASE_URL) --scale $(SCALE) --users $(USERS) \
		--duration $(DURATION)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis test-artifacts *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
