# The two commands a newcomer needs: `make demo` and `make test`.
PORT ?= 8000
HOST ?= 127.0.0.1

.PHONY: demo test install lint format bench clean

install:
	@./scripts/bootstrap.sh

demo: install
	@.venv/bin/ombuds serve --demo --host $(HOST) --port $(PORT)

test: install
	@./scripts/test.sh

lint: install
	@.venv/bin/ruff check . && .venv/bin/ruff format --check .

format: install
	@.venv/bin/ruff format . && .venv/bin/ruff check --fix .

bench: install
	@.venv/bin/python bench/cases.py
	@.venv/bin/python bench/routing.py
	@.venv/bin/python bench/ingest.py
	@.venv/bin/python bench/disputes.py

clean:
	rm -rf var/ombuds.sqlite3* var/queue.sqlite3* var/test
