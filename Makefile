# One command runs the service, one runs the tests (see README.md).
VENV ?= .venv
PYTHON ?= python3
BIN = $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test test-fast install install-test system-packages web-checkers bench lighthouse lint clean

run: install
	$(BIN)/perspectives serve --watch --host $(HOST) --port $(PORT)

# The checks CI relies on: lint first (ruff and mypy, as `make lint`), then every test.
test: lint system-packages web-checkers
	$(BIN)/pytest

# The quick loop while working: no lint, no browser, no scale tests (CI runs `make test`).
test-fast: install-test
	$(BIN)/pytest -m "not browser and not slow"

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

# Debian's chromium (browser tests) and word lists (spelling-fold test); needs root.
system-packages:
	@sh scripts/system-packages.sh

# axe-core and the Nu HTML checker (vnu.jar) for the browser tests, exactly as package-lock.json
# pins them; --ignore-scripts: vnu-jar's install script would fetch a Java runtime (Debian's is used).
web-checkers: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --omit=dev --ignore-scripts --no-audit --no-fund && touch $@; \
	else echo "npm is missing: the axe and vnu tests skip (scripts/system-packages.sh)" >&2; fi

lint: install-test
	$(BIN)/ruff check indexer webapp tests bench scripts
	$(BIN)/ruff format --check indexer webapp tests bench scripts
	$(BIN)/mypy

bench: install-test
	$(BIN)/python bench/run.py

# Lighthouse (phone) on the 18F archive: home, search, entry and /themes; see bench/lighthouse.sh.
lighthouse: install-test
	sh bench/lighthouse.sh

clean:
	rm -rf $(VENV) index node_modules
