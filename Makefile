.PHONY: run test lint messages
run:
	python3 scripts/dev.py run
test:
	python3 scripts/dev.py test
lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .
messages:
	.venv/bin/python scripts/messages.py
