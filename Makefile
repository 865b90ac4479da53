# Dropout Lab: two commands. `make lab` opens the course, `make test` runs every test.
# Both create .venv/ on first use; later runs reinstall only when pyproject.toml changes.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.dropout-lab-installed
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
PYTEST_NOTEBOOKS := --nbval --nbval-current-env --nbval-cell-timeout=300 --nbval-sanitize-with notebooks/sanitize.cfg

.PHONY: lab test setup execute bench clean browser reset

lab: setup
	$(BIN)/jupyter lab --ServerApp.root_dir=notebooks --LabApp.default_url=/lab/tree/00_start_here.ipynb $(ROOT_FLAG)

test: setup browser
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
	  --ExecutePreprocessor.timeout=300 --ExecutePreprocessor.store_widget_state=False --ExecutePreprocessor.record_timing=False $(NB)

bench: setup
	-$(BIN)/python benchmarks/bench_dropout.py
	$(BIN)/python benchmarks/bench_widgets.py

clean:
	rm -rf $(VENV)

# The browser test (tests/browser/) drives Debian's Chromium through Playwright; it never
# downloads a browser. As root (CI) it is installed here; otherwise say what to install.
CHROMIUM := /usr/bin/chromium
browser:
	@if [ -x $(CHROMIUM) ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing Chromium for the browser test: apt-get install -y chromium"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; \
	else \
	  echo "The browser test needs Chromium at $(CHROMIUM). Install it with:"; \
	  echo "    sudo apt-get install -y chromium"; \
	  exit 1; \
	fi

# For learners: make reset LESSON=03 keeps your version of lesson 03 as
# my-work/03_<name>.<timestamp>.ipynb, then restores the lesson as committed (git HEAD).
LESSON ?=
reset:
	@lesson="$(LESSON)"; \
	case "$$lesson" in [0-9][0-9]) ;; \
	  *) echo "Usage: make reset LESSON=03   (LESSON is a two-digit lesson number, got '$$lesson')"; exit 2;; esac; \
	nb=$$(git ls-tree --name-only HEAD notebooks/ | grep -E "^notebooks/$${lesson}_[a-z0-9_]+\.ipynb$$"); \
	if [ -z "$$nb" ]; then \
	  echo "There is no lesson $$lesson. Lessons: $$(git ls-tree --name-only HEAD notebooks/ | sed -n 's|^notebooks/\([0-9][0-9]\)_.*\.ipynb$$|\1|p' | tr '\n' ' ')"; \
	  exit 2; \
	fi; \
	if [ -f "$$nb" ] && git diff --quiet HEAD -- "$$nb"; then echo "$$nb is unchanged; nothing to reset."; exit 0; fi; \
	if [ -f "$$nb" ]; then \
	  mkdir -p my-work; stamp=$$(date +%Y%m%d-%H%M%S); keep="my-work/$$(basename "$$nb" .ipynb).$$stamp.ipynb"; n=1; \
	  while [ -e "$$keep" ]; do n=$$((n + 1)); keep="my-work/$$(basename "$$nb" .ipynb).$$stamp-$$n.ipynb"; done; \
	  cp -p "$$nb" "$$keep" && echo "Kept your version as $$keep"; \
	fi; \
	git show "HEAD:$$nb" > "$$nb.reset-tmp" && mv "$$nb.reset-tmp" "$$nb" && \
	echo "Restored $$nb. If it is open in JupyterLab: File > Reload Notebook from Disk."
