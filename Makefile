# Two commands for a newcomer: `make demo` runs guize on the bundled example,
# `make test` runs the test suite. Both set up .venv from the project's own files.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test golden lint bench hostile vsix clean

$(BIN)/guize: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/guize

demo: $(BIN)/guize
	$(BIN)/guize check policies/
	$(BIN)/guize eval policies/xinjiang/outpatient_2024.rule --date 2025-03-01 \
		--input examples/outpatient.json --output 统筹基金支付 --explain
	$(BIN)/guize status 新疆维吾尔自治区城市供水实施办法 --date 2024-04-12 || true

test: $(BIN)/guize
	$(BIN)/python -m pytest

# Rewrite the golden tests' expected output (tests/golden/README.md) and the VS Code grammar's
# snapshot (tests/data/vscode_scopes.txt); review with git diff.
golden: $(BIN)/guize
	$(BIN)/python -m pytest tests/test_golden.py tests/test_vscode.py --update-golden

# The full hostile-input run (tests/hostile/hostile.py; `make test` runs a fast slice of it).
hostile: $(BIN)/guize
	$(BIN)/python tests/hostile/hostile.py --trials 300 --cli 25

lint: $(BIN)/guize
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy

bench: $(BIN)/guize
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python bench/run_bench.py
	$(BIN)/python bench/corpus_bench.py

# The VS Code extension as one installable file, editors/vscode/guize.vsix (needs npm; CI does not build it).
vsix:
	cd editors/vscode && npm install --no-audit --no-fund && npm run package

clean:
	rm -rf $(VENV) build *.egg-info
