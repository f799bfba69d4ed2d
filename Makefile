# One command to run the app on SQLite with demo data, one to run every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
FLASK := $(BIN)/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000
# Debian packages the test suite needs: the browser for browser tests, HarfBuzz's subsetter for WeasyPrint,
# poppler's pdftotext to read the PDF report's text, a Java runtime for the Nu HTML Checker.
SYSTEM_PACKAGES := chromium libharfbuzz-subset0 poppler-utils default-jre-headless

.PHONY: run reset-demo test bench load install system-packages clean

install: $(STAMP)

system-packages:
	apt-get update -qq
	apt-get install -y -qq $(SYSTEM_PACKAGES)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

run: export TRACKER_MODE = demo
run: export TRACKER_TODAY ?= 2019-03-15
run: $(STAMP)
	$(FLASK) db upgrade
	$(FLASK) seed
	$(FLASK) demo
	$(FLASK) run --host $(HOST) --port $(PORT)

# Start the demo over: remove the default SQLite file (and its evidence files); the next make run rebuilds it.
reset-demo:
	rm -rf instance/tracker.db instance/tracker.db-wal instance/tracker.db-shm instance/evidence

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

load: $(STAMP)
	TRACKER_LOAD_SECONDS=60 $(BIN)/python -m pytest tests/resilience/test_load.py
	TRACKER_LOAD_SECONDS=60 DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test $(BIN)/python -m pytest tests/resilience/test_load.py

bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
