# Two commands a new user needs: `make demo` (run it) and `make test` (check it).
VENV ?= .venv
PYTHON ?= python3
BIN = $(VENV)/bin

.PHONY: install demo serve test lint e2e bench clean

$(BIN)/wowdesk: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[test]'
	touch $@

install: $(BIN)/wowdesk

demo: install  ## set up, migrate, seed the Russian demo and serve on http://127.0.0.1:8000
	$(BIN)/wowdesk demo

serve: install
	$(BIN)/wowdesk serve

lint: install
	VENV=$(VENV) scripts/lint

test: install  ## lint, then the whole suite on SQLite and on a real PostgreSQL and Redis on loopback
	VENV=$(VENV) scripts/lint
	scripts/ensure-chromium
	scripts/with-test-servers scripts/run-tests $(BIN)/python

bench: install  ## the quick benchmarks, each with its floor (about 5 minutes; see README "Benchmarks")
	$(BIN)/python benchmarks/erlang.py
	$(BIN)/python benchmarks/idle_memory.py
	$(BIN)/python benchmarks/kpi.py --conversations 50000 --days 60
	-$(BIN)/python benchmarks/chat_load.py  # exits 1 when a target is missed

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
