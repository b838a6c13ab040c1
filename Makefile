# make run  — set everything up and start the product with demo data on http://127.0.0.1:8000
# make test — set everything up, check that imports point down the layers (lint-imports), and run every test
# Both use PostgreSQL: the server at DATABASE_URL, or a private one they start (scripts/services.py).

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed

.PHONY: run test venv env assets test-packages pdf-packages migrate demo demo-code manage benchmark clean

# Runs a command with PostgreSQL answering: DATABASE_URL's server, or a private one in var/postgres/.
SERVICES := $(PY) scripts/services.py
# What `make test` tries before starting private servers (the machine's own, as in CI).
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/managing_allegations
TEST_REDIS_URL ?= redis://127.0.0.1:6379/7
# pip's notes about this machine's extra package folders are not for the person running make.
PIP_QUIET := grep -v -e "is ignored: it is neither" || true

$(STAMP): pyproject.toml
	@python_bin=$$(scripts/find-python) || exit 1; \
	  if [ ! -x $(PY) ]; then echo "Creating $(VENV) with $$python_bin"; "$$python_bin" -m venv $(VENV); fi
	@set -o pipefail; $(PIP) install --quiet --upgrade pip 2>&1 | { $(PIP_QUIET); }
	@set -o pipefail; $(PIP) install --quiet ".[test,local]" 2>&1 | { $(PIP_QUIET); }
	@rm -rf build
	@touch $(STAMP)

venv: $(STAMP)

# A local .env with a random secret key, for development only (never used in production).
.env:
	@$(PY) -c "import secrets; print('DJANGO_SECRET_KEY=dev-' + secrets.token_urlsafe(40))" > .env
	@echo "Wrote .env (a development secret key)"

env: venv .env

migrate: env
	@$(SERVICES) -- $(PY) manage.py migrate --noinput --verbosity 0

demo: env
	@$(SERVICES) -- sh -c '$(PY) manage.py migrate --noinput --verbosity 0 && $(PY) manage.py seed_demo'

# The current two-factor code of the demo accounts (they share one demo authenticator; README).
demo-code: env
	@$(SERVICES) -- env DEMO_DATA=true $(PY) manage.py demo_code $(USER_NAME)

# Any manage.py command against the same database as `make run`: make manage ARGS="createsuperuser"
manage: env
	@$(SERVICES) -- $(PY) manage.py $(ARGS)

# Migrates, loads the demo data, and serves it with a worker beside it; Ctrl-C stops everything.
run: env pdf-packages
	@$(SERVICES) -- scripts/run-dev

# Debian packages: WeasyPrint's libraries (PDFs) and, for the tests, Chromium (never a
# downloaded browser) and poppler-utils (pdftotext). Installed with apt when missing.
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libfontconfig1 fonts-liberation
TEST_PACKAGES := $(PDF_PACKAGES) chromium poppler-utils redis-server

define apt_install
	@missing=$$(for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done | tr '\n' ' '); \
	if [ -n "$${missing// /}" ]; then \
	  if ! command -v apt-get >/dev/null; then echo "Please install: $$missing"; exit $(2); fi; \
	  echo "Installing Debian packages: $$missing"; \
	  sudo=; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  $$sudo apt-get update -qq && $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
endef

# For `make run`: PDFs need these; without them the product still runs (PDF jobs fail).
pdf-packages:
	$(call apt_install,$(PDF_PACKAGES),0) || echo "Could not install $(PDF_PACKAGES): PDFs will not render."

test-packages:
	$(call apt_install,$(TEST_PACKAGES),1)

assets:
	@cd frontend && if [ ! -d node_modules ] || [ package-lock.json -nt node_modules ]; then npm ci --ignore-scripts --no-audit --no-fund --loglevel=error; fi

test: venv test-packages assets
	@$(VENV)/bin/lint-imports --no-logo --no-cache
	@$(SERVICES) --redis --database-url-default $(TEST_DATABASE_URL) --redis-url-default $(TEST_REDIS_URL) -- \
	  env DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m pytest $(PYTEST_ARGS)

# Every benchmark at 100,000 and 1,000,000, then one table of issue 19's targets (benchmarks/README.md).
# make benchmark SIZES=100000 BENCHMARKS="queue_and_case load"
SIZES ?= 100000 1000000
BENCHMARKS ?=
benchmark: venv
	$(PY) benchmarks/run_all.py --sizes "$(SIZES)" --only "$(BENCHMARKS)"

clean:
	rm -rf $(VENV) var .env
