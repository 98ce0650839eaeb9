# Two commands work on a fresh machine: `make run` and `make test`. Each creates .venv/ when
# it is missing and installs the project into it (editable, with its dev extras).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.asyncguard-installed
LINT_PATHS := server tests $(wildcard benchmarks/*.py)

.PHONY: run test test-python lint format venv clean vsix test-node test-e2e e2e-tools node-deps bench fuzz

# The VS Code extension (package.json, client/): npm for the client, the .vsix and its tests.
VERSION := $(shell sed -n 's/^version = "\(.*\)"/\1/p' pyproject.toml)
VSIX := asyncguard-$(VERSION).vsix
NPM_STAMP := node_modules/.asyncguard-installed
VSIX_INPUTS := package.json package-lock.json pyproject.toml .vscodeignore scripts/bundle-libs.sh \
  scripts/bundled-requirements.txt client/build.mjs $(wildcard README.md CHANGELOG.md LICENSE) \
  $(shell find client/src server/asyncguard -type f -not -path '*/__pycache__/*' 2>/dev/null)

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

test: test-python lint test-node test-e2e

test-python: $(STAMP)
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff check $(LINT_PATHS)
	$(BIN)/ruff format --check $(LINT_PATHS)

format: $(STAMP)
	$(BIN)/ruff format $(LINT_PATHS)
	$(BIN)/ruff check --fix $(LINT_PATHS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# Speed and memory figures (never timed tests): editor latency over stdio, and whole-program
# runs on real applications from PyPI beside ruff and hydroid. Writes benchmarks/RESULTS.md.
bench: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

# A long fuzzing campaign: generated programs plus mutations of real FastAPI applications
# (unpacked from PyPI wheels), 10,000+ programs through the engine and the fixes.
FUZZ_EXAMPLES ?= 3500
fuzz: $(STAMP)
	$(BIN)/python benchmarks/whole_program.py --prepare-only
	ASYNCGUARD_FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) ASYNCGUARD_FUZZ_CORPUS=benchmarks/.work/src \
	  $(BIN)/python -m pytest -q -s -p no:cacheprovider tests/test_fuzz.py

node-deps: $(NPM_STAMP)

$(NPM_STAMP): package.json $(wildcard package-lock.json)
	@if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
	@touch $(NPM_STAMP)

# asyncguard-<version>.vsix: the client bundled by esbuild, the server and its pure-Python
# dependencies in bundled/libs (checked to import on their own).
vsix: $(VSIX)

BUNDLED_STAMP := build/bundled-libs.stamp
BUNDLED_INPUTS := pyproject.toml scripts/bundle-libs.sh scripts/bundled-requirements.txt \
  $(shell find server/asyncguard -type f -not -path '*/__pycache__/*' 2>/dev/null)

$(BUNDLED_STAMP): $(STAMP) $(BUNDLED_INPUTS)
	scripts/bundle-libs.sh $(BIN)/python
	@mkdir -p build && touch $(BUNDLED_STAMP)

$(VSIX): $(NPM_STAMP) $(BUNDLED_STAMP) $(VSIX_INPUTS)
	@find bundled/libs -name __pycache__ -type d -prune -exec rm -rf {} +
	npx --no-install vsce package --no-dependencies --out $(VSIX)
	@ls -l $(VSIX)

# Type check, unit tests of the pure client modules, and the real server over stdio (from
# .venv and from bundled/libs).
test-node: $(NPM_STAMP) $(STAMP) $(BUNDLED_STAMP)
	npm run --silent typecheck
	node client/build.mjs --tests
	node --test out/test/unit/ out/test/server/

# The .vsix in a real VS Code (code-server) driven by headless Chromium. Tools are installed
# once into $${XDG_CACHE_HOME:-~/.cache}/asyncguard-e2e; screenshots land in .e2e/screenshots/.
e2e-tools:
	@scripts/e2e-tools.sh >/dev/null

test-e2e: $(VSIX) e2e-tools
	node client/build.mjs --tests
	node --test --test-concurrency=1 out/e2e/
