.DEFAULT_GOAL := help
.PHONY: help venv requirements test test-mysql test-postgres test-celery quality demo bench compile-requirements upgrade clean

VENV ?= .venv
PYTHON := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed

help: ## show the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  %-22s %s\n", $$1, $$2}'

$(STAMP): requirements/test.txt requirements/base.txt setup.py
	test -x $(PYTHON) || python3 -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -r requirements/test.txt
	$(PIP) install -q --no-deps -e .
	touch $(STAMP)

venv: $(STAMP) ## create .venv with the test requirements and the package

requirements: venv ## also install the MariaDB driver and pip-tools (needs libmariadb-dev)
	$(PIP) install -q -r requirements/dev.txt

quality: venv ## import-linter layering contracts
	$(VENV)/bin/lint-imports

test: quality ## layering contracts, then the test suite on SQLite
	$(PYTHON) -m pytest

test-mysql: venv ## the test suite on the local MariaDB (CERTEXCEPTIONS_TEST_DB=mysql)
	$(PIP) install -q -r requirements/mysql.txt
	CERTEXCEPTIONS_TEST_DB=mysql $(PYTHON) -m pytest

test-postgres: venv ## the test suite on the local PostgreSQL (CERTEXCEPTIONS_TEST_DB=postgres)
	$(PIP) install -q -r requirements/postgres.txt
	CERTEXCEPTIONS_TEST_DB=postgres $(PYTHON) -m pytest

test-celery: venv ## the end-to-end test through a real Celery worker (Redis broker DB 14, cache DB 15, MariaDB)
	$(PIP) install -q -r requirements/mysql.txt
	CERTEXCEPTIONS_TEST_DB=mysql MYSQL_TEST_NAME=test_certexceptions_celery \
		CERTEXCEPTIONS_CELERY_BROKER=redis://127.0.0.1:6379/14 CERTEXCEPTIONS_CACHE_URL=redis://127.0.0.1:6379/15 \
		$(PYTHON) -m pytest -m celery_worker

demo: venv ## migrate, seed and serve the demo on http://127.0.0.1:8000 (prints curl commands)
	$(PYTHON) -m certexceptions_plugin.standalone serve --port 8000

bench: venv ## benchmarks on SQLite and MariaDB, each figure beside its target (BENCH_ARGS="--rows 2000 --db sqlite")
	$(PIP) install -q -r requirements/mysql.txt
	$(PYTHON) benchmarks/run.py $(BENCH_ARGS)

compile-requirements: ## pin requirements/*.txt from requirements/*.in
	$(PIP) install -q pip-tools
	cd requirements && for f in pip-tools base test mysql postgres quality ci dev; do \
		../$(VENV)/bin/pip-compile -q --allow-unsafe --strip-extras --no-emit-index-url $(COMPILE_OPTS) -o $$f.txt $$f.in; \
	done
	sed -i '/^--find-links/d' requirements/*.txt

upgrade: ## re-pin every requirement to its newest allowed version
	$(MAKE) compile-requirements COMPILE_OPTS="--upgrade"

clean: ## remove the virtualenv and build artefacts
	rm -rf $(VENV) build dist *.egg-info .pytest_cache coverage.xml .coverage
