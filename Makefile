# smmkpi: every task in one place. `make` (or `make help`) lists them.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PERIOD ?= 2026-10
PYTEST_ARGS ?=
# two workers: the machines have 2 cores; tests of one file stay on one worker
PYTEST_PARALLEL ?= -n 2 --dist loadfile

.PHONY: help setup demo test test-fast lint format evaluate sample validate kpis benchmarks browser lab clean

help: ## list the tasks
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  make %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): requirements-lock.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-lock.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $(STAMP)

setup: $(STAMP) ## create .venv with the pinned dependencies and the package

demo: $(STAMP) ## set up, then run the evaluation on the bundled sample data
	$(BIN)/smmkpi validate
	@if $(BIN)/smmkpi --help | grep -q ' evaluate '; then \
		$(BIN)/smmkpi evaluate --all --period $(PERIOD) --force; \
	elif $(BIN)/smmkpi --help | grep -q ' score '; then \
		$(BIN)/smmkpi score --all --period $(PERIOD); \
	elif $(BIN)/smmkpi --help | grep -q ' kpis '; then \
		$(BIN)/smmkpi kpis --all --period $(PERIOD); \
	fi

test: $(STAMP) ## set up, then run every test (lint, unit, notebooks, browser)
	bash scripts/ensure-chromium.sh
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m pytest $(PYTEST_PARALLEL) $(PYTEST_ARGS)

test-fast: $(STAMP) ## run the unit tests only (no notebooks, no browser)
	$(BIN)/python -m pytest $(PYTEST_PARALLEL) -m "not slow and not e2e" $(PYTEST_ARGS)

lint: $(STAMP) ## check code and notebooks with ruff
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP) ## format code and notebooks with ruff
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

validate: $(STAMP) ## validate the sample data (or DATA=dir)
	$(BIN)/smmkpi validate $(if $(DATA),--data $(DATA))

kpis: $(STAMP) ## print every KPI of every specialist for PERIOD
	$(BIN)/smmkpi kpis --all --period $(PERIOD) $(if $(DATA),--data $(DATA))

sample: $(STAMP) ## regenerate data/sample from the default seed
	$(BIN)/smmkpi sample --out data/sample --force

benchmarks: $(STAMP) ## run the speed and quality benchmarks
	@for script in benchmarks/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

browser: ## install Debian's chromium for the browser test (needs root)
	bash scripts/ensure-chromium.sh

lab: $(STAMP) ## open JupyterLab on the notebooks
	$(BIN)/jupyter lab notebooks/

clean: ## remove caches and reports (keeps .venv)
	rm -rf reports .pytest_cache .ruff_cache
	find . -name __pycache__ -not -path './.venv/*' -prune -exec rm -rf {} +
