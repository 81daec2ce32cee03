# The operators' commands. `make run` starts everything; `make test` runs every test.
# Needs only Python 3.11+ with pip and venv: the virtual environment is made here (.venv).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.assist-installed
PYTEST_ARGS ?=
RUN_ARGS ?=
BENCH_ARGS ?=
ROLE ?=
DIVISION ?=
DATA_DIR ?=

.DEFAULT_GOAL := help
.PHONY: help venv run test token lint docs bench bench-disbursement clean distclean

help:
	@echo "make run                      start NATS and every service on the embedded default"
	@echo "                              (DATA_DIR=dir, RUN_ARGS='--base-port N --no-demo ...')"
	@echo "make test                     run the whole test suite (PYTEST_ARGS='-x -k ...')"
	@echo "make token ROLE=r DIVISION=c  print a bearer token for a demo user, signed with the secret"
	@echo "                              of make run's data folder (DATA_DIR=dir, as for make run)"
	@echo "make lint                     ruff and mypy"
	@echo "make docs                     docs/events.md and docs/asyncapi.yaml from the event contracts"
	@echo "make bench                    benchmarks, with ratios against a baseline (BENCH_ARGS=...)"
	@echo "make bench-disbursement       a month's ledger, roster and reconciliation of a roll of"
	@echo "                              1,000,000 (BENCH_ARGS='--n 100000' for fewer)"
	@echo "make venv                     create $(VENV) and install the project (done by the others)"
	@echo "make clean / distclean        remove caches / and $(VENV); never touches data/"

venv: $(STAMP)

# Reinstalled only when pyproject.toml is newer than the stamp.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null || { \
	  echo "error: Python 3.11 or newer is needed; '$(PYTHON)' is: $$($(PYTHON) --version 2>&1)." >&2; \
	  echo "       Install it, or point to it: make $(MAKECMDGOALS) PYTHON=/path/to/python3.11" >&2; \
	  exit 1; }
	@if [ -x $(BIN)/python ] && ! $(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then \
	  echo "$(VENV) has an older Python: making it again"; rm -rf $(VENV); fi
	@[ -x $(BIN)/python ] || $(PYTHON) -m venv $(VENV) || { \
	  echo "error: could not create $(VENV) (Debian/Ubuntu: apt-get install python3-venv)" >&2; \
	  rm -rf $(VENV); exit 1; }
	@echo "installing the project and its dev tools into $(VENV) ..."
	PYTHONWARNINGS=ignore::UserWarning $(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m tools.run $(if $(DATA_DIR),--data-dir '$(DATA_DIR)') $(RUN_ARGS)

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

token: $(STAMP)
	@$(BIN)/python -m tools.token --role '$(ROLE)' $(if $(DIVISION),--division '$(DIVISION)') \
	  $(if $(DATA_DIR),--data-dir '$(DATA_DIR)')

bench: $(STAMP)
	$(BIN)/python -m bench.pipeline $(BENCH_ARGS)

bench-disbursement: $(STAMP)
	$(BIN)/python -m bench.disbursement $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check shared services tools tests bench
	$(BIN)/mypy

docs: $(STAMP)
	$(BIN)/python -m tools.eventdocs

clean:
	rm -rf .pytest_cache .ruff_cache .mypy_cache build *.egg-info
	find . -name __pycache__ -type d -not -path './$(VENV)/*' -prune -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
