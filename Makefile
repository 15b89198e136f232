# Two commands for a newcomer: `make run` and `make test`. Everything else is optional.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1:8000
DEV := DEBUG=1

.PHONY: run test setup lint format bench loadtest clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet ".[dev]"
	touch $@

setup: $(VENV)/.installed
	$(DEV) $(PY) manage.py migrate --noinput
	$(DEV) $(PY) manage.py load_strategy
	$(DEV) $(PY) manage.py create_demo_users

## make run: install, migrate (SQLite unless DATABASE_URL is set), load the strategy, create demo accounts, serve on 127.0.0.1:8000
run: setup
	@echo "http://$(HOST)/ を開き、上のデモアカウントでログインしてください。"
	$(DEV) $(PY) manage.py runserver $(HOST)

## make test: the whole suite (browser tests are skipped with a notice when /usr/bin/chromium is missing)
## (CHROMIUM_PATH=… drives another Chromium; REQUIRE_BROWSER=1 makes a missing browser an error)
## It runs on every core (pytest-xdist; TEST_WORKERS=0 runs in one process), each test handed to the next free
## worker in the file order (pyproject addopts: --dist loadgroup; scripts/xdist_balance.py shows why);
## TEST_ORDER= shuffles it as CI does (pytest-randomly; PYTEST_ARGS=--randomly-seed=N repeats an order).
TEST_WORKERS ?= auto
TEST_ORDER ?= -p no:randomly
test: $(VENV)/.installed
	$(PY) -m pytest -n $(TEST_WORKERS) $(TEST_ORDER) $(PYTEST_ARGS)

## make bench: the performance targets measured side by side (docs/benchmarks.md; about 2 minutes).
## Starts PostgreSQL and creates the role nemuro if needed (scripts/postgres.sh), unless BENCH_DATABASE_URL is set;
## BENCH_ARGS="--reuse" keeps the data, BENCH_ARGS="--baseline <commit>" measures that commit beside this one.
bench: $(VENV)/.installed
	@[ -n "$$BENCH_DATABASE_URL" ] || bash scripts/postgres.sh
	$(PY) scripts/bench.py $(BENCH_ARGS)

## make loadtest: 50 simulated clerks and council members (and three hostile uploads) for 60 s against gunicorn + PostgreSQL on 127.0.0.1
loadtest: $(VENV)/.installed
	@[ -n "$$BENCH_DATABASE_URL" ] || bash scripts/postgres.sh
	$(PY) scripts/loadtest.py $(LOADTEST_ARGS)

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf $(VENV) staticfiles artifacts .pytest_cache
