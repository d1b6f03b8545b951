# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1

.PHONY: run test lint assets install install-dev bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# Front-end packages come from npm (pinned by package-lock.json) and are copied, never committed.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/vendor/htmx.min.js: node_modules/.package-lock.json
	mkdir -p static/vendor
	cp node_modules/htmx.org/dist/htmx.min.js static/vendor/htmx.min.js

static/vendor/axe.min.js: node_modules/.package-lock.json
	mkdir -p static/vendor
	cp node_modules/axe-core/axe.min.js static/vendor/axe.min.js

# DejaVu Sans covers Indonesian text (and the rupiah amounts) in the receipt and deposit slip PDFs.
static/vendor/fonts/DejaVuSans.ttf: node_modules/.package-lock.json
	mkdir -p static/vendor/fonts
	cp node_modules/dejavu-fonts-ttf/ttf/DejaVuSans.ttf node_modules/dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf static/vendor/fonts/

assets: static/vendor/htmx.min.js static/vendor/axe.min.js static/vendor/fonts/DejaVuSans.ttf

run: install assets
	$(BIN)/duta db upgrade
	$(BIN)/duta demo --if-empty
	$(BIN)/duta serve --host $(HOST) --port $(PORT)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

test: lint assets
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install-dev assets
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) node_modules static/vendor
