# Jalon: `make run` serves the app with demo data; `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
CHROMIUM := /usr/bin/chromium
# Test processes in parallel (pytest-xdist); each has its own databases and live servers.
TEST_WORKERS ?= 2

.PHONY: run test bench bench-load lint format translations messages vendor ensure-chromium clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Jalon needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when pyproject.toml changed since the last install.
$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed-run

# Catalogs are compiled at build time (*.mo are not committed).
translations: $(VENV)/.installed-run
	$(BIN)/pybabel -q compile -d web/translations

# After adding user-facing text: refresh the template and catalogs, then translate web/translations/en.
messages: $(VENV)/.installed-run
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k lazy_gettext --no-location --sort-output \
	  --project Jalon --copyright-holder Jalon -o web/translations/messages.pot .
	$(BIN)/pybabel -q update -i web/translations/messages.pot -d web/translations --no-fuzzy-matching
	@# A fixed creation date: catalogs change only when their messages do (no merge churn).
	sed -i 's/^"POT-Creation-Date: .*"$$/"POT-Creation-Date: 2026-11-29 00:00+0000\\n"/' \
	  web/translations/messages.pot web/translations/*/LC_MESSAGES/messages.po

# Refresh the committed CSS library from npm (versions pinned in package-lock.json).
vendor:
	npm ci --no-audit --no-fund
	cp node_modules/@picocss/pico/css/pico.jade.min.css web/static/vendor/pico/
	cp node_modules/@picocss/pico/LICENSE.md web/static/vendor/pico/LICENSE.md

# Links printed and e-mailed follow the address served, unless JALON_BASE_URL says otherwise.
run: export JALON_BASE_URL ?= http://$(HOST):$(PORT)
run: $(VENV)/.installed-run translations
	$(BIN)/jalon db upgrade
	$(BIN)/jalon demo --if-empty
	@echo "Jalon: http://$(HOST):$(PORT)/ (Ctrl+C to stop)"
	$(BIN)/jalon run --host $(HOST) --port $(PORT)

# Browser tests need Debian's Chromium: installed here when we are root, otherwise explained.
ensure-chromium:
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
	    echo "Installing Debian's chromium for the browser tests..."; \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >/dev/null; \
	  elif [ "$$CI" = "true" ]; then \
	    echo "ERROR: $(CHROMIUM) is missing; install it with: sudo apt-get install chromium" >&2; exit 1; \
	  else \
	    echo "NOTE: $(CHROMIUM) is missing, browser tests will be skipped."; \
	    echo "      Install it with: sudo apt-get install chromium"; \
	  fi; \
	fi

test: $(VENV)/.installed-dev translations ensure-chromium
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

bench: $(VENV)/.installed-dev
	$(BIN)/python -m pytest tests/bench -m bench -s $(PYTEST_ARGS)

# Gunicorn + PostgreSQL + Redis + queue worker of its own, on the loopback, under load and faults
# (tests/bench/load/; BENCH_LOAD_QUICK=1 for a short run). Uses every core for a few minutes.
bench-load: $(VENV)/.installed-dev translations
	$(BIN)/python -m tests.bench.load

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis
