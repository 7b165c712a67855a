# Two commands do all the set-up on a fresh machine with Python 3.11+:
#   make chat   - set up, then chat with the bot in this terminal (or run it on Telegram: make run)
#   make test   - set up, then run the test suite
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup chat run test catalogs clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)
	$(BIN)/youthbot catalogs compile

chat: setup
	$(BIN)/youthbot chat

# Runs on Telegram when TELEGRAM_BOT_TOKEN is set (environment or .env); otherwise the console chat.
run: setup
	@if [ -n "$$TELEGRAM_BOT_TOKEN" ] || grep -qs '^TELEGRAM_BOT_TOKEN=.' .env; then \
		$(BIN)/youthbot run; else $(BIN)/youthbot chat; fi

test: setup
	$(BIN)/python -m pytest -q

catalogs: $(STAMP)
	$(BIN)/youthbot catalogs update

clean:
	rm -rf $(VENV) locales/sr_Latn locales/*/LC_MESSAGES/*.mo
