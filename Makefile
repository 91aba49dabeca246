# The two commands of the README: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q

.PHONY: run test test-fast lint bench lock clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(VENV)/.run-deps: requirements.lock pyproject.toml | $(PY)
	$(PIP) install -r requirements.lock
	$(PIP) install --no-deps -e .
	@touch $@

$(VENV)/.dev-deps: requirements-dev.lock pyproject.toml | $(PY)
	$(PIP) install -r requirements-dev.lock
	$(PIP) install --no-deps -e .
	@touch $@ $(VENV)/.run-deps

run: $(VENV)/.run-deps
	$(VENV)/bin/newsbot db upgrade
	exec $(VENV)/bin/newsbot run

# The one gate. Lint first: a finding stops here, before the prerequisites or any test
# runs. Then every test, on TEST_WORKERS processes; PYTEST_ARGS adds options, e.g.
# --durations=30. Each test file runs whole on one worker: the tests that share a resource
# share a file (the image and its containers; the two chaos runs, which must not race each
# other for the CPU). Files go out in collection order, which tests/conftest.py starts
# with the longest (chaos, the image, the browser). Not --dist loadgroup: pytest-xdist 3.8
# groups by rewriting item._nodeid, which pytest 9 no longer reads: its marks group nothing.
TEST_WORKERS ?= 2
PYTEST_ARGS ?=

test: lint
	./scripts/test-prereqs.sh
	PY=$(PY) ./scripts/run-tests.sh -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder $(PYTEST_ARGS)

test-fast: $(VENV)/.dev-deps
	$(PY) -m pytest -m "not slow"

# The cheap checks first, so most findings stop `make test` in seconds; mypy last.
# lint-imports runs once pyproject.toml lists contracts ([[tool.importlinter.contracts]]):
# with none it only says so (import-linter itself fails on an empty list).
lint: $(VENV)/.dev-deps
	$(VENV)/bin/ruff check bot tests bench
	$(VENV)/bin/ruff format --check bot tests bench
	@if $(PY) scripts/has-import-contracts.py; then \
		echo "$(VENV)/bin/lint-imports --no-logo"; $(VENV)/bin/lint-imports --no-logo; \
	else echo "lint-imports: no contracts in pyproject.toml yet, nothing to check"; fi
	$(VENV)/bin/mypy bot tests

# The footprint is measured on what a newsroom installs (requirements.lock only): test
# tools such as rich change what the runtime imports.
RUN_VENV ?= .venv-run

bench: $(VENV)/.dev-deps
	$(MAKE) --no-print-directory VENV=$(RUN_VENV) $(RUN_VENV)/.run-deps
	NEWSBOT_BENCH_RUN_PYTHON=$(RUN_VENV)/bin/python $(PY) -m bench

lock: | $(PY)
	$(PIP) install pip-tools
	$(VENV)/bin/pip-compile -q --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml
	$(VENV)/bin/pip-compile -q --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links --extra dev -o requirements-dev.lock pyproject.toml

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
