# RSC Records. `make run` sets everything up and serves the demo; `make test` runs every test.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
DEMO_PASSWORD ?=

.PHONY: run test lint check-migrations check-deploy ci-checks scan clean

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null || { \
		echo "RSC Records needs Python 3.12 or newer (3.13 recommended)."; \
		echo "'$(PYTHON)' is: $$($(PYTHON) --version 2>&1 || echo 'not found')."; \
		echo "Install Python 3.13 (for example: pyenv install 3.13, or apt-get install python3.13)"; \
		echo "and run again, or name it: make PYTHON=python3.13 run"; \
		exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python requirements.txt
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

# The task worker (it sends the emails) runs beside the development server and stops with it:
# when the server stops, and on Ctrl-C, which reaches both.
run: export SITE_URL ?= http://$(HOST):$(PORT)
run: $(VENV)/.installed
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo $(if $(DEMO_PASSWORD),--password "$(DEMO_PASSWORD)")
	$(BIN)/python manage.py db_worker --queue-name '*' & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT; \
	trap 'exit 130' INT; trap 'exit 143' TERM; \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: $(VENV)/.installed-dev
	$(BIN)/pytest

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check-migrations: $(VENV)/.installed
	$(BIN)/python manage.py makemigrations --check --dry-run

# The deployment checklist, with production-like values (no real secrets).
check-deploy: $(VENV)/.installed
	DEBUG=0 SECRET_KEY=deploy-check-$$(head -c 48 /dev/urandom | base64 | tr -d '/+=\n') \
	ALLOWED_HOSTS=rsc.example.org EMAIL_URL=smtp://rsc:secret@mail.example.org:587 \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

ci-checks: lint check-migrations check-deploy

# sqlmap and wapiti against the signed-in pages of a throwaway demo site (see README.md). About 7
# minutes, so not in ci-checks; SCAN_MINUTES=20 make scan gives the scanners longer.
SCAN_VENV ?= .venv-scan

$(SCAN_VENV)/.installed: requirements-scan.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null || { \
		echo "The scanners need Python 3.12 or newer; name one: make PYTHON=python3.13 scan"; exit 1; }
	$(PYTHON) -m venv $(SCAN_VENV)
	$(SCAN_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(SCAN_VENV)/bin/pip install --quiet -r requirements-scan.txt
	touch $@

scan: $(VENV)/.installed $(SCAN_VENV)/.installed
	SCAN_VENV=$(SCAN_VENV) $(BIN)/python scripts/scan.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache test-artifacts
