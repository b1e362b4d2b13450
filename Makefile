.DEFAULT_GOAL := help
.PHONY: help venv requirements test test-mysql test-postgres test-celery test-tutor test-browser test-schemathesis \
	quality pii-check demo fuzz bench compile-requirements upgrade clean

VENV ?= .venv
# Extra pytest arguments for test and test-mysql, e.g. PYTEST_ARGS='-m "not browser"'.
PYTEST_ARGS ?=
PYTHON := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
STAMP := $(VENV)/.installed
TUTOR_VENV ?= .venv-tutor
TUTOR_PLUGIN := tutor-contrib-certexceptions

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

pii-check: venv ## Open edX PII annotations: every model of the plugin annotated (code-annotations, 100% coverage)
	$(PIP) install -q -r requirements/quality.txt
	DJANGO_SETTINGS_MODULE=tests.pii_settings $(VENV)/bin/code_annotations django_find_annotations \
		--config_file .pii_annotations.yml --lint --report --coverage

test: quality ## layering contracts, then the test suite on SQLite (browser tests too, where chromium is installed)
	$(PYTHON) -m pytest $(PYTEST_ARGS)

test-mysql: venv ## the test suite on the local MariaDB (CERTEXCEPTIONS_TEST_DB=mysql)
	$(PIP) install -q -r requirements/mysql.txt
	CERTEXCEPTIONS_TEST_DB=mysql $(PYTHON) -m pytest $(PYTEST_ARGS)

test-postgres: venv ## the test suite on the local PostgreSQL (CERTEXCEPTIONS_TEST_DB=postgres)
	$(PIP) install -q -r requirements/postgres.txt
	CERTEXCEPTIONS_TEST_DB=postgres $(PYTHON) -m pytest

test-celery: venv ## the end-to-end test through a real Celery worker (Redis broker DB 14, cache DB 15, MariaDB)
	$(PIP) install -q -r requirements/mysql.txt
	CERTEXCEPTIONS_TEST_DB=mysql MYSQL_TEST_NAME=test_certexceptions_celery \
		CERTEXCEPTIONS_CELERY_BROKER=redis://127.0.0.1:6379/14 CERTEXCEPTIONS_CACHE_URL=redis://127.0.0.1:6379/15 \
		$(PYTHON) -m pytest -m celery_worker

test-tutor: ## the Tutor plugin's test: render a Tutor environment with it (in its own virtualenv, .venv-tutor)
	test -x $(TUTOR_VENV)/bin/python || python3 -m venv $(TUTOR_VENV)
	$(TUTOR_VENV)/bin/pip install -q -r $(TUTOR_PLUGIN)/requirements/test.txt
	$(TUTOR_VENV)/bin/pip install -q --no-deps -e $(TUTOR_PLUGIN)
	cd $(TUTOR_PLUGIN) && ../$(TUTOR_VENV)/bin/python -m pytest -q

PORT ?= 8000

demo: venv ## migrate, seed and serve the demo on http://127.0.0.1:8000 (another port: make demo PORT=8123)
	$(PYTHON) -m certexceptions_plugin.standalone serve --port $(PORT)

test-browser: venv ## browser tests: Playwright drives Debian's chromium (apt-get install chromium) on the demo
	$(PIP) install -q -r requirements/browser.txt
	$(PYTHON) -m pytest -m browser tests/browser

test-schemathesis: venv ## schemathesis, every check, against the demo server as each role (a few examples each)
	$(PYTHON) -m pytest -m schemathesis tests/test_schemathesis.py

fuzz: venv ## fuzz the reader and the uploads with 10,000 examples each, schemathesis with 500 per operation and role
	HYPOTHESIS_PROFILE=fuzz $(PYTHON) -m pytest tests/test_fuzz.py tests/test_schemathesis.py

bench: venv ## benchmarks on SQLite and MariaDB, each figure beside its target (BENCH_ARGS="--rows 2000 --db sqlite")
	$(PIP) install -q -r requirements/mysql.txt
	$(PYTHON) benchmarks/run.py $(BENCH_ARGS)

compile-requirements: ## pin requirements/*.txt from requirements/*.in
	$(PIP) install -q pip-tools
	cd requirements && for f in pip-tools base standalone test browser mysql postgres quality ci dev; do \
		../$(VENV)/bin/pip-compile -q --allow-unsafe --strip-extras --no-emit-index-url $(COMPILE_OPTS) -o $$f.txt $$f.in; \
	done
	cd $(TUTOR_PLUGIN)/requirements && ../../$(VENV)/bin/pip-compile -q --allow-unsafe --strip-extras --no-emit-index-url \
		$(COMPILE_OPTS) -o test.txt test.in
	sed -i '/^--find-links/d' requirements/*.txt $(TUTOR_PLUGIN)/requirements/*.txt

upgrade: ## re-pin every requirement to its newest allowed version
	$(MAKE) compile-requirements COMPILE_OPTS="--upgrade"

clean: ## remove the virtualenv and build artefacts
	rm -rf $(VENV) $(TUTOR_VENV) build dist *.egg-info .pytest_cache coverage.xml .coverage pii_report
