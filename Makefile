# The two commands: `make run` (demo on http://127.0.0.1:8000) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check

.PHONY: run test lint e2e bench drill venv messages clean

# One virtualenv with the runtime and the test and lint tools; the image installs only
# requirements.txt.
$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed

# Development is the default of `make run` only; the settings default to production.
# `make run PORT=8123` when 8000 is taken.
PORT ?= 8000
# The task worker (it sends the e-mail) runs beside the server and stops with it.
run: export DEBUG ?= 1
# Status links on receipts and in messages point at the port this server listens on.
run: export PUBLIC_BASE_URL ?= http://127.0.0.1:$(PORT)
run: venv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py db_worker --no-reload & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: venv
	$(VENV)/bin/pytest

e2e: venv
	$(VENV)/bin/pytest -m e2e

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: venv
	$(PY) bench/run.py

# The fault drill, by hand and never in CI: load against gunicorn (production settings)
# on a PostgreSQL cluster of its own, which it restarts mid-run (needs root).
drill: venv
	$(PY) bench/drill.py

# Refresh the Russian catalogue after adding strings (needs GNU gettext).
messages: export DEBUG ?= 1
messages: venv
	$(PY) manage.py makemessages -l ru --no-location --no-obsolete -i ".venv/*" -i "staticfiles/*"
	$(PY) manage.py compilemessages -l ru -i ".venv"

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
