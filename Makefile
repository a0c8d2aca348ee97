# SafeGround: `make run` serves the app with demo data; `make test` runs the whole test suite.
# Both install what is missing first (Debian packages, the .venv).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test install install-test system-deps system-deps-test bench lint clean-data help

help:
	@echo "make run    install what is missing, start the embedded PostGIS, load demo data, serve on :5000"
	@echo "make test   install what is missing and run the test suite"
	@echo "make clean-data  delete the embedded database (var/)"
	@echo "make bench  install what is missing (and .venv-bench) and run the benchmark (10k, 100k, 1M hazards)"

run: install
	$(BIN)/safeground serve --demo-if-empty

test: install-test
	$(BIN)/python -m pytest

install: system-deps $(VENV)/.installed
install-test: system-deps-test $(VENV)/.installed-test

system-deps:
	@scripts/install-system-deps.sh

system-deps-test:
	@scripts/install-system-deps.sh --browser

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(VENV)/bin/python
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@ $(VENV)/.installed

# The benchmark runs from its own virtualenv: the project and its pinned dependencies, plus tipg (the
# server it is compared with) and a tile decoder. BENCH_ARGS passes options, e.g.
# `make bench BENCH_ARGS="--sizes 10000"` for a quick run.
BENCH_VENV := .venv-bench
BENCH_ARGS ?=

bench: system-deps $(BENCH_VENV)/.installed
	$(BENCH_VENV)/bin/python -m bench $(BENCH_ARGS)

$(BENCH_VENV)/bin/python:
	$(PYTHON) -m venv $(BENCH_VENV)
	echo '*' > $(BENCH_VENV)/.gitignore

$(BENCH_VENV)/.installed: pyproject.toml bench/requirements.txt | $(BENCH_VENV)/bin/python
	$(BENCH_VENV)/bin/pip install --quiet --disable-pip-version-check -e . -r bench/requirements.txt
	touch $@

clean-data:
	-$(BIN)/safeground db stop
	rm -rf var
