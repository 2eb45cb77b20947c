# enyang_grid: `make run` starts everything on an embedded default; `make test` runs the suite on PostgreSQL + Redis.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test lint install messages clean-var bench help

help:
	@echo "make run    - install, migrate, seed, create the demo admin, start web + Celery worker + beat"
	@echo "make test   - run the whole test suite against PostgreSQL and Redis"
	@echo "make lint   - ruff, manage.py check, makemigrations --check, OpenAPI schema without warnings"

$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c constraints.txt ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_enyang
	$(PY) manage.py ensure_demo_admin
	$(PY) manage.py collectstatic --noinput -v0
	PORT=$(PORT) $(PY) scripts/run_all.py

test: install
	bash scripts/ensure_system_packages.sh
	$(PY) scripts/check_services.py
	$(PY) -m pytest -n $${PYTEST_WORKERS:-2} -q --create-db $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	DJANGO_SETTINGS_MODULE=enyang_grid.settings.test $(PY) manage.py check --fail-level WARNING
	DJANGO_SETTINGS_MODULE=enyang_grid.settings.test $(PY) manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=enyang_grid.settings.test $(PY) manage.py spectacular --validate --fail-on-warn --file /dev/null

messages: install
	for app in core accounts grids workers incidents registry forces assessment dashboards; do \
	  (cd $$app && ../$(PY) ../manage.py makemessages -l zh_Hans --no-obsolete -v0); done
	$(PY) manage.py makemessages -l zh_Hans --no-obsolete -v0 -i '.venv/*' -i '*/migrations/*' --ignore='core/*' --ignore='accounts/*' --ignore='grids/*' --ignore='workers/*' --ignore='incidents/*' --ignore='registry/*' --ignore='forces/*' --ignore='assessment/*' --ignore='dashboards/*'
	$(PY) manage.py compilemessages -v0 --ignore=.venv

bench: install
	$(PY) bench/run.py
