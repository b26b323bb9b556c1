# Một Cửa Số — the doors in: `make run` and `make test` (see README).
SHELL := /bin/bash
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3; do command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { echo $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
WEB_WORKERS ?= 2
WEB_THREADS ?= 4
# Every command below (seed, worker, server) sees the same address, so SITE_URL follows it.
export HOST PORT
# Demo mode for `make run`/`serve`/`worker` unless the caller says otherwise.
export MOTCUA_DEMO ?= 1

.PHONY: run serve worker test lint format install install-test browser migrate seed messages static clean help

help:
	@echo "make run     cài đặt, tạo CSDL, nạp dữ liệu mẫu và chạy cổng ở http://$(HOST):$(PORT)"
	@echo "make test    cài đặt, kiểm tra mã (ruff) và chạy toàn bộ bộ kiểm thử"
	@echo "make lint | serve | worker | format | clean"

$(BIN)/python:
	@test -n "$(PYTHON)" || { echo "Cần Python 3.11 trở lên (python3.11, python3.12 hoặc python3.13)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[test]"
	@touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

messages: install
	$(BIN)/python manage.py compile_translations

migrate: install
	$(BIN)/python manage.py migrate --noinput

static: install messages
	$(BIN)/python manage.py collectstatic --noinput -v0

seed: migrate
	$(BIN)/python manage.py seed_demo

run: seed static
	@echo
	@$(BIN)/python manage.py demo_logins
	@echo
	@echo "Cổng dịch vụ công: http://$(HOST):$(PORT)/   (Ctrl+C để dừng; worker gửi thông báo chạy kèm, nhật ký ở var/worker.log)"
	@$(BIN)/python manage.py site_url
	@BIN=$(BIN) HOST=$(HOST) PORT=$(PORT) WEB_WORKERS=$(WEB_WORKERS) WEB_THREADS=$(WEB_THREADS) bash scripts/run-demo.sh

serve: migrate static serve-only

serve-only:
	$(BIN)/gunicorn config.wsgi:application --bind $(HOST):$(PORT) --workers $(WEB_WORKERS) --threads $(WEB_THREADS) \
		--access-logfile - --access-logformat '%(h)s %(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms' --graceful-timeout 10

worker: migrate
	$(BIN)/python manage.py db_worker

browser:
	@bash scripts/install-test-tools.sh

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: install-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: install-test browser lint
	MOTCUA_DEMO=0 SECRET_KEY=test-only-secret $(BIN)/python manage.py makemigrations --check --dry-run -v1
	$(BIN)/python manage.py compile_translations
	MOTCUA_DEMO=0 SECRET_KEY=$${SECRET_KEY:-test-only-secret} $(BIN)/python -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache
