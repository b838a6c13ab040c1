# make run  — set everything up and start the product with demo data on http://127.0.0.1:8000
# make test — set everything up and run every test (PostgreSQL and Redis on this machine)

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed

.PHONY: run test setup venv env assets chromium migrate demo serve worker benchmark clean

$(STAMP): pyproject.toml
	@python_bin=$$(scripts/find-python) || exit 1; \
	  if [ ! -x $(PY) ]; then echo "Creating $(VENV) with $$python_bin"; "$$python_bin" -m venv $(VENV); fi
	@set -o pipefail; $(PIP) install --quiet --upgrade pip 2>&1 | { grep -v "is ignored: it is neither" || true; }
	@set -o pipefail; $(PIP) install --quiet -e ".[test]" 2>&1 | { grep -v -e "is ignored: it is neither" -e BuildBackendWarning -e _filter_existing_files || true; }
	@touch $(STAMP)

venv: $(STAMP)

# A local .env with a random secret key, for development only (never used in production).
.env:
	@$(PY) -c "import secrets; print('DJANGO_SECRET_KEY=dev-' + secrets.token_urlsafe(40))" > .env
	@echo "Wrote .env (a development secret key)"

env: venv .env

migrate: env
	$(PY) manage.py migrate --noinput

demo: migrate
	$(PY) manage.py seed_demo

run: demo
	$(PY) manage.py collectstatic --noinput --verbosity 0
	scripts/run-dev

# Browser tests need Debian's Chromium (never a downloaded browser) and axe-core from npm.
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
	  echo "Installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium; fi; fi
	@command -v pdftotext >/dev/null || { if [ "$$(id -u)" = 0 ]; then apt-get install -y -qq poppler-utils; else sudo apt-get install -y -qq poppler-utils; fi; }

assets:
	@cd frontend && if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then npm ci --ignore-scripts --no-audit --no-fund --loglevel=error; fi

test: venv chromium assets
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m pytest $(PYTEST_ARGS)

benchmark: venv
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) benchmarks/queue_and_case.py

clean:
	rm -rf $(VENV) var .env
