# Two commands work on a fresh machine: `make run` and `make test`. Each creates .venv/ when
# it is missing and installs the project into it (editable, with its dev extras).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.asyncguard-installed

.PHONY: run test test-python lint format venv clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	@scripts/ensure-python.sh $(PYTHON)
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# Check the bundled example app: every category of finding, exit 0 (findings are expected).
run: $(STAMP)
	cd examples/shop && ../../$(BIN)/asyncguard check --python ../../$(VENV) . ; \
	  status=$$?; test $$status -le 1

test: test-python lint

test-python: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check server tests benchmarks
	$(BIN)/ruff format --check server tests benchmarks

format: $(STAMP)
	$(BIN)/ruff format server tests benchmarks
	$(BIN)/ruff check --fix server tests benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
