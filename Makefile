# The two commands of the README: `make run` (try the product) and `make test` (the whole suite).
VENV ?= .venv
PYTHON ?= python3
STAMP := $(VENV)/.installed

.PHONY: run test bench install clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)  ## the service with embedded SQLite, Redis and outbox, and a demo workspace
	$(VENV)/bin/flask --app wsgi serve

test: $(STAMP)  ## import contracts, then the suite on SQLite and on PostgreSQL
	VENV=$(VENV) bash scripts/test.sh

bench: $(STAMP)  ## benchmarks (not part of the suite); see bench/README.md
	$(VENV)/bin/python -m bench

clean:
	rm -rf $(VENV) instance build *.egg-info
