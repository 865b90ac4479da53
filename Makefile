# Dropout Lab: two commands. `make lab` opens the course, `make test` runs every test.
# Both create .venv/ on first use; later runs reinstall only when pyproject.toml changes.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.dropout-lab-installed
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
PYTEST_NOTEBOOKS := --nbval --nbval-current-env --nbval-cell-timeout=300 --nbval-sanitize-with notebooks/sanitize.cfg

.PHONY: lab test setup execute bench clean

lab: setup
	$(BIN)/jupyter lab --ServerApp.root_dir=notebooks --LabApp.default_url=/lab/tree/00_start_here.ipynb $(ROOT_FLAG)

test: setup
	$(BIN)/python -m pytest tests notebooks $(PYTEST_NOTEBOOKS)

setup: $(STAMP)

# The stamp is newer than pyproject.toml once everything is installed, so a second
# `make lab` installs nothing. Learner-edited notebooks are never touched here.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -e '.[all]'
	touch $(STAMP)

# For instructors: re-run lessons top to bottom in a fresh kernel and store the outputs.
# make execute                       every lesson
# make execute NB=notebooks/03_rate_variance.ipynb
NB ?= notebooks/[0-9]*.ipynb
execute: setup
	MPLBACKEND=module://matplotlib_inline.backend_inline $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	  --ExecutePreprocessor.timeout=300 --ExecutePreprocessor.store_widget_state=False $(NB)

bench: setup
	-$(BIN)/python benchmarks/bench_dropout.py
	$(BIN)/python benchmarks/bench_widgets.py

clean:
	rm -rf $(VENV)
