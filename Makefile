# Two commands do all the set-up on a fresh machine with Python 3.11+:
#   make chat   - set up, then chat with the bot in this terminal (or run it on Telegram: make run)
#   make test   - set up, then run every check: formatting, lint, strict types and the test suite (make check)
#   make bench  - set up, then measure the bot against the bare framework (docs/performance.md)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup chat run test check bench catalogs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -qq --upgrade pip
	$(BIN)/pip install -qq -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)
	$(BIN)/youthbot catalogs compile

chat: setup
	$(BIN)/youthbot chat

# Runs on Telegram when TELEGRAM_BOT_TOKEN is set (environment or .env); otherwise the console chat.
run: setup
	@if [ -n "$$TELEGRAM_BOT_TOKEN" ] || grep -qs '^TELEGRAM_BOT_TOKEN=.' .env; then \
		$(BIN)/youthbot run; else $(BIN)/youthbot chat; fi

# One command checks everything; warnings are errors in the tests (pyproject.toml).
check: setup
	$(BIN)/ruff format --check --quiet .
	$(BIN)/ruff check --quiet .
	$(BIN)/mypy bot storage
	$(BIN)/python -m pytest -q

test: check

# Every benchmark against a local fake Bot API, then one table of figures (about 10 minutes).
# BENCH_ARGS="--quick" for tiny sizes, BENCH_ARGS="--only latency" for one of them.
bench: setup
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

catalogs: $(STAMP)
	$(BIN)/youthbot catalogs update

clean:
	rm -rf $(VENV) locales/sr_Latn locales/*/LC_MESSAGES/*.mo
