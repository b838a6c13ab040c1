# make run  — set everything up and start the product with demo data on http://127.0.0.1:8000
# make test — set everything up and run every test (PostgreSQL and Redis on this machine)

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed

.PHONY: run test venv env assets test-packages pdf-packages migrate demo demo-code benchmark clean

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

# The current two-factor code of the demo accounts (they share one demo authenticator; README).
demo-code:
	@DEMO_DATA=true $(PY) manage.py demo_code $(USER_NAME)

run: demo pdf-packages
	$(PY) manage.py collectstatic --noinput --verbosity 0
	scripts/run-dev

# Debian packages: WeasyPrint's libraries (PDFs) and, for the tests, Chromium (never a
# downloaded browser) and poppler-utils (pdftotext). Installed with apt when missing.
PDF_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 libfontconfig1 fonts-liberation
TEST_PACKAGES := $(PDF_PACKAGES) chromium poppler-utils

define apt_install
	@missing=$$(for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done | tr '\n' ' '); \
	if [ -n "$${missing// /}" ]; then \
	  if ! command -v apt-get >/dev/null; then echo "Please install: $$missing"; exit $(2); fi; \
	  echo "Installing Debian packages: $$missing"; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq $$missing; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq $$missing; fi; \
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
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m pytest $(PYTEST_ARGS)

benchmark: venv
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) benchmarks/queue_and_case.py
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) benchmarks/chasing_sweep.py
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) benchmarks/import_cases.py
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) benchmarks/annual_report.py
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) benchmarks/access_log.py
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) benchmarks/minutes_pdf.py

clean:
	rm -rf $(VENV) var .env
