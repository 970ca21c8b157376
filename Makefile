# Two commands do all the set-up on a fresh machine with Python 3.11:
#   make demo   creates .venv, installs the package, writes the full report on the bundled example survey
#   make test   creates .venv, installs the package with its test tools, runs the test suite
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   ?= .venv
PY     := $(VENV)/bin/python
OUT    ?= reports/demo

.PHONY: install demo test test-slow bench clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed

demo: install
	$(VENV)/bin/resilience-stats demo --out $(OUT)

test: install
	$(PY) -m pytest

test-slow: install
	$(PY) -m pytest -m slow

bench: install
	$(PY) benchmarks/run_all.py

clean:
	rm -rf $(VENV) build dist reports .pytest_cache
