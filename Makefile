# Thin wrappers around scripts/ (which bootstrap system packages and .venv themselves).
#   make start                 scripts/start (migrate, demo data, runserver on 127.0.0.1:8000)
#   make test ARGS="-x -k foo" scripts/test with pytest arguments
#   make lint                  ruff check
#   make bench                 licence rendering benchmark

SHELL := /bin/bash
VENV_PYTHON := .venv/bin/python
ARGS ?=

.PHONY: start test lint bench venv

start:
	scripts/start

test:
	scripts/test $(ARGS)

venv:
	@source scripts/lib.sh && portal_venv

lint: venv
	.venv/bin/ruff check .

bench: venv
	$(VENV_PYTHON) benchmarks/render_licences.py $(ARGS)
