# Parley: common commands. `make run` brings the whole system up locally; `make test` runs
# every test (unit, integration on moto, end-to-end, browser).
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
MOTO_PORT ?= 5055

include infra/deploy.mk

.PHONY: venv run test test-unit test-integration test-e2e test-browser lint bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

venv: $(BIN)/python
	$(BIN)/pip install -q -r requirements-dev.txt

run: venv
	$(BIN)/python -m infra.local --port $(PORT) --moto-port $(MOTO_PORT)

test: venv
	$(BIN)/python -m pytest

test-unit: venv
	$(BIN)/python -m pytest tests/unit

test-integration: venv
	$(BIN)/python -m pytest tests/integration

test-e2e: venv
	$(BIN)/python -m pytest tests/e2e

test-browser: venv
	$(BIN)/python -m pytest tests/browser

lint: venv
	$(BIN)/cfn-lint infra/*.yaml

bench: venv
	$(BIN)/python bench/message_requests.py
	$(BIN)/python bench/bot_bench.py

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts
