# Everything runs from a virtual environment in .venv, created on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install demo test bench lint clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Exit 1 means "findings": the example workflows carry waste on purpose.
# Exit 2 (a broken workflow or a crash) fails the demo.
demo: install
	$(BIN)/procmap analyze workflows/; test $$? -le 1

test: install
	$(BIN)/python -m pytest -q

bench: install
	$(BIN)/python bench/bench.py

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy src

clean:
	rm -rf $(VENV) build dist .pytest_cache .hypothesis .mypy_cache .ruff_cache
