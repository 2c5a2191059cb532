# Riverkeeper: `make help` lists the targets.
SHELL := /bin/bash
VENV  ?= .venv
PY    := $(VENV)/bin/python
RK    := $(VENV)/bin/riverkeeper
CONFIG ?= config
PYTEST_ARGS ?=

.DEFAULT_GOAL := help

help: ## Show this help
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $@

venv: $(VENV)/.installed ## Create .venv with the pinned dependency set (constraints.txt)

system-deps: ## Install Debian packages the tests need (prometheus, alertmanager, chromium); root only
	@bash tools/install-system-deps.sh

demo: venv ## Generate the example project's source data (deterministic)
	$(RK) --config $(CONFIG) demo --live 60

run: venv ## Set up and run the monitor on the example project: demo data, a first run, then serve + dashboard (Ctrl-C stops)
	$(RK) --config $(CONFIG) demo --live 60
	@# the ELT first: it loads warehouse.raw_customers, which fact_orders' checks reference
	-$(RK) --config $(CONFIG) run daily_sales_elt daily_sales ecommerce_analytics
	@echo "monitor: metrics http://127.0.0.1:9108/metrics, dashboard http://127.0.0.1:8501 (Ctrl-C stops both)"
	@trap 'kill $$dash 2>/dev/null; $(RK) --config $(CONFIG) demo --stop-api >/dev/null 2>&1' EXIT; \
	  $(RK) --config $(CONFIG) dashboard & dash=$$!; \
	  $(RK) --config $(CONFIG) serve

test: venv system-deps ## Set up and run the whole test suite
	$(VENV)/bin/pytest $(PYTEST_ARGS)

lint: venv ## ruff (lint + format check) and mypy strict
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

fmt: venv ## Format and autofix
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

bench: venv ## Run the benchmarks and print the tables for docs/benchmarks.md
	@for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean: ## Remove the local state (.riverkeeper) and caches
	rm -rf .riverkeeper .mypy_cache .ruff_cache

.PHONY: help venv system-deps demo run test lint fmt bench clean
