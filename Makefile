# Two commands for a new machine: `make run` (portal with demo data) and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 5000
THREADS ?= 8

.PHONY: run test lint install install-dev system-test-deps bench serve admin reset-demo

$(VENV)/.runtime: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

## Install, upgrade the SQLite database in instance/, load demo data if empty, serve on :5000.
run: install
	$(BIN)/flask --app app db upgrade
	$(BIN)/flask --app app seed-demo --if-empty
	@echo "Портал: http://$(HOST):$(PORT)/  (демо-логины и пароль — в README.md)"
	$(BIN)/waitress-serve --listen=$(HOST):$(PORT) --threads=$(THREADS) app:app

## Serve colleagues on the school network: its own database (instance/school.db, no demo
## data), every network interface, port 8000. Stop with Ctrl+C. See README «В сети школы».
SERVE_HOST ?= 0.0.0.0
SERVE_PORT ?= 8000
serve admin: export PORTAL_DATABASE_URL ?= sqlite:///$(CURDIR)/instance/school.db
serve: install
	$(BIN)/flask --app app db upgrade
	$(BIN)/flask --app app check-deployment
	@echo "Портал для коллег: http://$$(hostname -I 2>/dev/null | cut -d' ' -f1):$(SERVE_PORT)/  (остановить: Ctrl+C)"
	$(BIN)/waitress-serve --listen=$(SERVE_HOST):$(SERVE_PORT) --threads=$(THREADS) \
	  $(if $(PORTAL_PROXY_COUNT),--no-clear-untrusted-proxy-headers) app:app

## The first administrator of the network portal: make admin LOGIN=ivanova NAME="Иванова Мария Петровна"
admin: install
	@test -n "$(LOGIN)" -a -n "$(NAME)" || { echo 'Укажите LOGIN=… NAME="…"'; exit 2; }
	$(BIN)/flask --app app db upgrade
	$(BIN)/flask --app app create-user "$(LOGIN)" --name "$(NAME)" --role admin

## Throw the demo database away and load fresh demo data (the network portal's is untouched).
reset-demo: install
	rm -f instance/portal.db instance/portal.db-wal instance/portal.db-shm
	$(BIN)/flask --app app db upgrade
	$(BIN)/flask --app app seed-demo $(if $(DEMO_PASSWORD),--password "$(DEMO_PASSWORD)")

## Chromium (browser tests) and poppler (PDF checks) from Debian, when we may install them.
system-test-deps:
	@if command -v chromium >/dev/null && command -v pdftoppm >/dev/null; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils >/dev/null; \
	else echo "Нет chromium/poppler-utils и прав root: браузерные тесты будут пропущены."; fi

## Install everything and run the whole suite (SQLite; set TEST_DATABASE_URL for PostgreSQL).
test: install-dev system-test-deps
	$(BIN)/python -m pytest

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## Every benchmark in turn; each prints JSON.
bench: install-dev
	$(BIN)/python bench/pages.py
	$(BIN)/python bench/registry.py
	$(BIN)/python bench/matching.py
	$(BIN)/python bench/plans.py
	$(BIN)/python -m bench.agreements
	$(BIN)/python bench/first_day.py
	$(BIN)/python bench/communication.py
	$(BIN)/python bench/monitoring.py
	$(BIN)/python bench/programme.py
	$(BIN)/python bench/bases_history.py
