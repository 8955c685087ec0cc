# One command runs the service, one runs the tests (see README.md).
VENV ?= .venv
PYTHON ?= python3
BIN = $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install install-test system-packages bench lint clean

run: install
	$(BIN)/perspectives serve --host $(HOST) --port $(PORT)

test: install-test system-packages
	$(BIN)/pytest

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

lint: install-test
	$(BIN)/ruff check indexer webapp tests
	$(BIN)/mypy

bench: install-test
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) index
