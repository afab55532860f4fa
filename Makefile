# The two commands of README.md. Both create .venv (Python 3.11) and install mfcode editable with
# every pinned dependency (constraints.txt locks the whole environment) on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# One BLAS / OpenMP thread per process (overridable): the book's matrices are small, and on CI's two
# cores a second BLAS thread made them slower, e.g. a 175x175 pinv 4.3 ms -> 62 ms and a 7x7 expm
# 0.2 ms -> 0.95 ms on a busy 2-core machine. Notebook kernels and test subprocesses inherit it.
export OPENBLAS_NUM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1

.PHONY: book test env clean

book: $(STAMP)  ## execute every notebook at budget="full" and render the HTML into _build/html
	$(BIN)/jupyter-book build . -W -n --keep-going --builder html

test: $(STAMP)  ## lint (ruff), types (mypy --strict), then unit + property tests and every notebook of _toc.yml at budget="ci"
	$(BIN)/ruff check mfcode tests benchmarks
	$(BIN)/mypy mfcode
	$(BIN)/python -m pytest

env: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "mfbook needs Python 3.11: set PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --constraint constraints.txt --editable ".[book,test,ray]"
	touch $(STAMP)

clean:
	rm -rf _build
