# Two commands do everything on a fresh machine with Python 3.11+:
#   make demo   build the sample database, run the reports, print where they are
#   make test   run the whole test suite
# Both create and use .venv themselves.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
KERNEL := osh-audit
JOBS   ?= 2

.PHONY: install demo test test-fast check lint format bench form lab docs clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "OSH Audit (Python 3)" >/dev/null
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(BIN)/audit demo

test: install
	$(BIN)/python -m pytest -n $(JOBS) --dist loadfile -q

# The quick loop while editing: no kernel, no browser, nothing marked slow (under a minute).
test-fast: install
	$(BIN)/python -m pytest -n $(JOBS) -q -m 'not kernel and not browser and not slow'

lint: install
	$(BIN)/lint-imports
	$(BIN)/ruff check audit_lib tests benchmarks
	$(BIN)/ruff format --check audit_lib tests benchmarks

format: install
	$(BIN)/ruff format audit_lib tests benchmarks
	$(BIN)/ruff check --fix audit_lib tests benchmarks

check: lint test

bench: install
	$(BIN)/python -m benchmarks

docs: install
	$(BIN)/python -m audit_lib.cli.reference > docs/cli.md

form: install
	$(BIN)/audit form

lab: install
	$(BIN)/jupyter lab notebooks/

clean:
	rm -rf reports build *.egg-info .pytest_cache .hypothesis
