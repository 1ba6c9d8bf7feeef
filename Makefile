# Everything runs from a virtual environment in .venv, created on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# apt-get needs root: use sudo when we are not root and it is there.
SUDO   := $(shell [ "$$(id -u)" = 0 ] || command -v sudo)

.PHONY: install graphviz demo test test-integration bench lint clean

install: $(STAMP) graphviz

# `procmap render` draws SVG and PNG with Graphviz's `dot`. Without apt-get
# (macOS, Windows) this says what to install; svg and png are then refused
# with the same hint and their tests are skipped.
graphviz:
	@command -v dot >/dev/null 2>&1 || { \
	  if command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Graphviz with apt-get..."; \
	    $(SUDO) apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq graphviz >/dev/null; \
	  else \
	    echo "Graphviz is missing: install it (brew install graphviz, winget install graphviz)" \
	         "to draw SVG and PNG."; \
	  fi; }

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Exit 1 means "findings": the example workflows carry waste on purpose, and
# the example tracker late partners (on its fixed date, so the demo stays put).
# Exit 2 (a broken workflow or tracker row, or a crash) fails the demo.
demo: install
	$(BIN)/procmap analyze workflows/; test $$? -le 1
	$(BIN)/procmap render workflows/ --format svg -o out/diagrams
	$(BIN)/procmap render workflows/ --format mermaid -o out/diagrams
	@echo "Diagrams: $$(ls out/diagrams | tr '\n' ' ')"
	$(BIN)/procmap build workflows/ -o out/site
	@echo "Process library: out/site/index.md"
	$(BIN)/procmap track trackers/partners.csv --workflows workflows/ --today 2026-11-23; test $$? -le 1
	@if [ -n "$$CONFLUENCE_URL" ] && [ -n "$$CONFLUENCE_SPACE" ]; then \
	  $(BIN)/procmap publish out/site --space "$$CONFLUENCE_SPACE" --dry-run || exit 2; \
	else echo "To see what procmap publish would send to Confluence, set CONFLUENCE_URL," \
	  "CONFLUENCE_USER, CONFLUENCE_TOKEN and CONFLUENCE_SPACE (README: procmap publish)"; fi
	@mkdir -p out/simplified
	@# Per example: what simplify applied (safe), what waits for whose yes
	@# (review: pass --accept ID) and what it will not do (blocked).
	@for f in workflows/*.yaml; do \
	  after=out/simplified/$$(basename $$f); \
	  echo; echo "== procmap simplify $$f"; \
	  $(BIN)/procmap simplify $$f -o $$after > $${after%.yaml}.log || exit 2; \
	  cat $${after%.yaml}.log; \
	  echo; $(BIN)/procmap diff $$f $$after | sed -n '1,15p' || exit 2; \
	done
	@echo; echo "Simplified workflows and their change logs: out/simplified/"

test: install
	$(BIN)/python -m pytest -q

# pre-commit try-repo in a temporary repository: slow, as it installs procmap.
test-integration: install
	PROCMAP_INTEGRATION=1 $(BIN)/python -m pytest -q tests/test_integrations.py

bench: install
	$(BIN)/python bench/bench.py

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy src

clean:
	rm -rf $(VENV) build dist out .pytest_cache .hypothesis .mypy_cache .ruff_cache
