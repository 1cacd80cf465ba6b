# Goodword: every developer and CI task goes through this file. `make help` lists them.
# The first target that needs it creates .venv and installs the pinned dependencies.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements-dev.txt shared/requirements.txt constraints.txt pyproject.toml | cksum | cut -d' ' -f1)
export AWS_DEFAULT_REGION ?= us-east-1
export PATH := $(CURDIR)/$(BIN):$(PATH)

.DEFAULT_GOAL := help
.PHONY: help install demo serve test test-fast lint typecheck bench soak build validate lock clean train-judgement

help: ## Show this help
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): requirements-dev.txt shared/requirements.txt constraints.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip==25.3
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --editable .
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP) ## Create .venv with the pinned development dependencies

demo: $(STAMP) ## Run Goodword locally: deliver every sample over HTTP, show what happened, stop
	@$(BIN)/python -m local_stack demo $(DEMO_ARGS)

serve: $(STAMP) ## Start the local stack and keep it running (Ctrl-C stops it); see docs/local.md
	@$(BIN)/python -m local_stack serve $(SERVE_ARGS)

test: lint typecheck ## Lint, type-check, the whole test suite, and a quick benchmark run (so `make bench` cannot rot)
	$(BIN)/pytest
	$(MAKE) --no-print-directory bench BENCH_ARGS=--quick

test-fast: $(STAMP) ## Run the tests without the slow template build checks
	$(BIN)/pytest -m "not slow"

lint: $(STAMP) ## ruff (style and bugs) and cfn-lint (template)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/cfn-lint template.yaml

typecheck: $(STAMP) ## mypy, strict
	$(BIN)/mypy shared functions tests bench scripts local_stack goodword_cli dev_support

bench: $(STAMP) ## Benchmarks; figures to stdout and bench/results/latest/ (BENCH_ARGS=--record: the committed bench/results/)
	PYTHONPATH=shared:functions/receive_webhook:functions/apply_rules:. $(BIN)/python -m bench $(BENCH_ARGS)

soak: $(STAMP) ## Soak: 10,000 signed deliveries with duplicates and storage faults, counted end to end (SOAK_ARGS=--quick: 1,000; --record)
	PYTHONPATH=shared:functions/receive_webhook:functions/apply_rules:functions/perform_actions:. $(BIN)/python -m bench.soak $(SOAK_ARGS)

TRAIN_VENV := .venv-train
TRAIN_STAMP := $(TRAIN_VENV)/.installed-$(shell cat requirements-train.txt constraints-train.txt | cksum | cut -d' ' -f1)

$(TRAIN_STAMP): requirements-train.txt constraints-train.txt
	@test -x $(TRAIN_VENV)/bin/python || $(PYTHON) -m venv $(TRAIN_VENV)
	$(TRAIN_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-train.txt -c constraints-train.txt
	@rm -f $(TRAIN_VENV)/.installed-* && touch $@

train-judgement: $(STAMP) $(TRAIN_STAMP) ## Train the judge from ../shared/data/sentiment (2-core CPU: ~50 min); see docs/judgement.md
	HF_HUB_OFFLINE=1 PYTHONPATH=shared:. $(TRAIN_VENV)/bin/python -m scripts.judgement.train
	PYTHONPATH=shared:. $(BIN)/python -m scripts.judgement.head
	PYTHONPATH=shared:. $(BIN)/python -m scripts.judgement.calibrate

validate: $(STAMP) ## sam validate --lint (offline; needs only a region)
	$(BIN)/sam validate --lint --template template.yaml

build: $(STAMP) ## sam build (no Docker: the layer is cross-installed for arm64)
	$(BIN)/sam build --template template.yaml

lock: ## Re-resolve the pins after editing requirements-dev.txt or shared/requirements.txt
	rm -rf $(VENV) && $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^goodword' > constraints.txt.new
	(sed -n '1,2p' constraints.txt; cat constraints.txt.new) > constraints.txt && rm constraints.txt.new
	@echo "constraints.txt updated; also update shared/requirements.lock from it"

clean: ## Remove build output and caches (keeps .venv)
	rm -rf .aws-sam .pytest_cache .mypy_cache .ruff_cache .hypothesis .judgement-work
	find . -name __pycache__ -prune -exec rm -rf {} +
