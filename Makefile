# Every target creates or reuses .venv from requirements.txt, so a fresh clone needs only Python 3.11 and make.
# Set AEUTILS_DATA_DIR to a folder holding the official MNIST IDX files to work offline (see README.md).

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
READY  := $(VENV)/.installed
NOTEBOOKS ?= $(wildcard notebooks/*.ipynb)
NBVAL  := --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg

.PHONY: book book-singlehtml test execute bench lab clean

$(READY): requirements.txt pyproject.toml
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

## test: unit tests, nbval over every notebook, warning-free book builds and the browser check of the site
test: $(READY)
	$(BIN)/python -m pytest tests notebooks $(NBVAL)

## execute: re-run every notebook (or NOTEBOOKS=...) in place; the only way notebook outputs are produced
execute: $(READY)
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
		--ExecutePreprocessor.kernel_name=python3 --ExecutePreprocessor.timeout=1200 \
		--ExecutePreprocessor.record_timing=False $(NOTEBOOKS)

## bench: run every notebook (or NOTEBOOKS=...) fresh, one at a time, and record them in benchmarks/results.json
bench: $(READY)
	$(BIN)/python benchmarks/run.py $(NOTEBOOKS)

## lab: open the notebooks in JupyterLab
lab: $(READY)
	$(BIN)/jupyter lab notebooks

clean:
	rm -rf _build
