PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint format install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[test,jax-envs]"
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/apprentice demo

# Lint, format check and types first (seconds; mypy keeps its cache in .mypy_cache), then the tests
# in TEST_WORKERS processes (pytest-xdist; the slowest tests are long, so work is stolen, not dealt).
# The 40 slowest tests are listed at the end, so a CI log says where the suite's time goes.
TEST_WORKERS ?= 2
test: lint
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS) --dist worksteal --durations=40

lint: $(STAMP)
	$(BIN)/ruff check apprentice tests
	$(BIN)/ruff format --check apprentice tests
	$(BIN)/mypy apprentice

# Rewrites files: the formatter, then the lint fixes ruff marks safe.
format: $(STAMP)
	$(BIN)/ruff format apprentice tests
	$(BIN)/ruff check --fix apprentice tests

clean:
	rm -rf $(VENV) runs .pytest_cache .mypy_cache .ruff_cache
