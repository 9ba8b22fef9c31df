# Quick start: `make build` (set up .venv and build data/processed with dvc repro),
# `make test` (set up .venv and run the tests). Needs only Python 3.11.
# `make score` (accuracy on the dev corpus) also needs ../shared beside the repository.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(abspath $(VENV))/bin
INSTALLED := $(VENV)/.installed
# Stage commands in dvc.yaml call `uofdb` from PATH: put the venv first. No analytics,
# no update checks, no network.
RUN := PATH="$(BIN):$$PATH" DVC_NO_ANALYTICS=1

.PHONY: install build test score fit bench clean

install: $(INSTALLED)

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --editable '.[test]'
	touch $(INSTALLED)

build: $(INSTALLED)
	$(RUN) $(BIN)/dvc repro
	$(RUN) $(BIN)/uofdb query "select count(*) as incidents from incidents"

test: $(INSTALLED)
	$(RUN) $(BIN)/python -m pytest

# Build the dev corpus (../shared/corpus/dev) and print the scorer's tables for gold.jsonl
# and gold-added.jsonl; the figures are the DVC metrics of metrics/dvc.yaml (`dvc metrics
# show`). Always rerun (--force): it takes seconds and measures the code as it is now.
# `make build` (dvc repro of ./dvc.yaml) never runs this stage.
score: $(INSTALLED)
	$(RUN) $(BIN)/dvc repro --force metrics/dvc.yaml:score

# Fit the relevance model on the dev corpus (../shared/corpus/dev) with cross-validation by
# incident; prints the cross-validated figures and writes schema/vocab/relevance_model.json.
fit: $(INSTALLED)
	$(RUN) $(BIN)/uofdb fit --corpus ../shared/corpus/dev

# Every benchmark script in benchmarks/ (bench_*.py), one after the other.
bench: $(INSTALLED)
	for script in benchmarks/bench_*.py; do $(RUN) $(BIN)/python $$script || exit 1; done

clean:
	rm -rf data/interim data/dev data/processed/*.parquet data/processed/*.duckdb
