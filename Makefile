# Every target creates or reuses .venv from requirements.txt, so a fresh clone needs only Python 3.11 and make.
# Set AEUTILS_DATA_DIR to a folder holding the official MNIST IDX files to work offline (see README.md).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
READY  := $(VENV)/.installed
NOTEBOOKS ?= $(wildcard notebooks/*.ipynb)

.PHONY: book book-singlehtml test execute bench seeds lab clean

# The book was run with Python 3.11 only: refuse to create .venv with another (an existing .venv is reused as it is).
$(READY): requirements.txt pyproject.toml
	@test -d $(VENV) || $(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null || { \
		echo "The book needs Python 3.11, but PYTHON=$(PYTHON) is $$($(PYTHON) -V 2>/dev/null || echo "not installed")." >&2; \
		echo "Install Python 3.11 and name it, e.g. make book PYTHON=python3.11 (see book/run-the-book.md)." >&2; \
		exit 1; }
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

## book: build the HTML book into _build/html from the committed notebook outputs
book: $(READY)
	$(BIN)/jupyter-book build . -W -n --keep-going

## book-singlehtml: the whole book on one print-friendly HTML page, _build/singlehtml/index.html
book-singlehtml: $(READY)
	$(BIN)/jupyter-book build . --builder singlehtml -W -n --keep-going

## test: ruff's lint and format check of aeutils, tests, benchmarks and notebooks, then unit tests, every notebook
## run once and compared with its stored outputs (within the spread measured by make seeds), warning-free book
## builds and the browser check of the site
test: $(READY)
	$(BIN)/ruff check aeutils tests benchmarks notebooks
	$(BIN)/ruff format --check aeutils tests benchmarks notebooks
	$(BIN)/python -m pytest tests notebooks

## execute: re-run every notebook (or NOTEBOOKS=...) in place; the only way notebook outputs are produced
execute: $(READY)
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
		--ExecutePreprocessor.kernel_name=python3 --ExecutePreprocessor.timeout=1200 \
		--ExecutePreprocessor.record_timing=False $(NOTEBOOKS)

## bench: run every notebook (or NOTEBOOKS=...) fresh, one at a time, and record them in benchmarks/results.json
bench: $(READY)
	$(BIN)/python -m benchmarks.run $(NOTEBOOKS)

## seeds: run every notebook (or NOTEBOOKS=...) with other seeds, one thread and oneDNN off; write the spread of its
## numbers (benchmarks/seeds.json, seeds.md, spread.json) and fail if a closing claim broke in any run
seeds: $(READY)
	$(BIN)/python -m benchmarks.seeds $(NOTEBOOKS)

## lab: open the notebooks in JupyterLab
lab: $(READY)
	$(BIN)/jupyter lab notebooks

clean:
	rm -rf _build
