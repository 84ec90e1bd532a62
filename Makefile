# The two commands a newcomer needs: `make run` and `make test`. Each sets up .venv itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Microsoft's Adaptive Cards renderer, which the tests run over every Teams card (Node, from npm).
RENDERER := tests/teams/renderer
RENDERER_STAMP := $(RENDERER)/node_modules/.installed

.PHONY: run test screenshot sbom diagram lint format clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

# With nothing configured `start` runs the bot with the local sandbox (http://127.0.0.1:3001);
# with Slack or Teams settings it is `peer-support serve`.
$(RENDERER_STAMP): $(RENDERER)/package.json $(RENDERER)/package-lock.json
	npm ci --prefix $(RENDERER) --no-audit --no-fund --loglevel=error
	touch $(RENDERER_STAMP)

run: $(STAMP)
	$(BIN)/peer-support start

test: $(STAMP) $(RENDERER_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest $(PYTEST_ARGS)

# Retake docs/sandbox.png (the README's screenshot) with the browser test.
screenshot: $(STAMP)
	UPDATE_SCREENSHOT=1 $(BIN)/pytest tests/sandbox/test_browser.py

# A CycloneDX SBOM of what the image installs: the app and its runtime dependencies (no dev
# tools), installed into a throwaway environment exactly as the Dockerfile does (`pip install .`).
SBOM ?= sbom.cdx.json
SBOM_ENV ?= build/sbom-env
sbom: $(STAMP)
	rm -rf $(SBOM_ENV)
	$(PYTHON) -m venv $(SBOM_ENV)
	$(SBOM_ENV)/bin/pip install --quiet --disable-pip-version-check .
	$(BIN)/cyclonedx-py environment --pyproject pyproject.toml --output-reproducible \
		--of JSON -o $(SBOM) $(SBOM_ENV)
	@echo "wrote $(SBOM)"

# Redraw docs/data-flow.svg from docs/data-flow.dot (Graphviz: apt-get install -y graphviz).
diagram:
	$(PYTHON) docs/render_diagram.py

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info build sbom.cdx.json $(RENDERER)/node_modules
