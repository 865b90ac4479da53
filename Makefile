# Dropout Lab: two commands. `make lab` opens the course, `make test` runs every test.
# Both create .venv/ on first use; later runs reinstall only when pyproject.toml or
# constraints.txt changes. The versions CI tests are pinned in constraints.txt.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.dropout-lab-installed
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
NBVAL := --nbval --nbval-current-env --nbval-cell-timeout=300 --nbval-sanitize-with notebooks/sanitize.cfg
# Notebooks run in parallel on both cores, one notebook per worker (nbval keeps one kernel per file).
PARALLEL := -n 2 --dist loadfile

.PHONY: lab test test-fast lint setup execute bench clean browser reset new-lesson sync-lessons site test-gpu

lab: setup
	$(BIN)/jupyter lab --ServerApp.root_dir=. --LabApp.default_url=/lab/tree/notebooks/00_start_here.ipynb $(ROOT_FLAG)

# --durations=20 lists the slowest tests at the end, so a slow new lesson shows up in CI's log.
test: setup browser lint
	$(BIN)/python -m pytest tests notebooks $(NBVAL) $(PARALLEL) --durations=20

# An instructor's inner loop, in one parallel pytest run: lint, one lesson's own tests, the shared
# checks every lesson must pass (import layers, notebook hygiene, every dashboard against its declared
# maths), its notebook under strict nbval and its dashboards in the browser. The core package's unit
# tests and the browser checker's self-test run in `make test`.   make test-fast LESSON=03
test-fast: setup lint
	@test -n "$(LESSON)" || { echo "Usage: make test-fast LESSON=03"; exit 2; }
	@slug=$$($(BIN)/python -c "from dropout_lab.lessons import by_number; print(by_number('$(LESSON)').slug)") && \
	DL_BROWSER_LESSONS=$(LESSON) $(BIN)/python -m pytest tests/lessons/test_$${slug}*.py tests/test_layers.py \
	  tests/test_notebook_hygiene.py tests/test_ui.py notebooks/$(LESSON)_$${slug}.ipynb \
	  tests/browser/test_lessons_in_browser.py \
	  --deselect tests/browser/test_lessons_in_browser.py::test_a_broken_dashboard_fails \
	  -m "not slow and not gpu" $(NBVAL) $(PARALLEL) -q

# On a machine with an NVIDIA GPU and a CUDA build of torch: the device tests and the GPU benchmark.
# Without a GPU it says so and fails (make test skips the same tests with their reason).
test-gpu: setup
	@$(BIN)/python -c "import sys, torch; sys.exit(0 if torch.cuda.is_available() else \
	  'make test-gpu: no GPU is present (torch ' + torch.__version__ + ' sees no CUDA device). ' \
	  'The GPU tests need an NVIDIA GPU with its driver and a CUDA build of torch: python -m dropout_lab.doctor says how.')"
	$(BIN)/python -m pytest tests/test_gpu.py -m gpu -v
	$(BIN)/python benchmarks/bench_gpu.py

lint: setup
	$(BIN)/ruff check .
	$(BIN)/python tools/lessons.py check

setup: $(STAMP)

# The stamp is newer than pyproject.toml and constraints.txt once everything is installed,
# so a second `make lab` installs nothing. Learner-edited notebooks are never touched here.
$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[all]'
	touch $(STAMP)

# For instructors: re-run lessons top to bottom in a fresh kernel and store the outputs.
# make execute                       every lesson
# make execute NB=notebooks/03_rate_variance.ipynb
NB ?= notebooks/[0-9]*.ipynb
execute: setup
	MPLBACKEND=module://matplotlib_inline.backend_inline $(BIN)/jupyter nbconvert --to notebook --execute --inplace \
	  --ExecutePreprocessor.timeout=300 --ExecutePreprocessor.store_widget_state=False \
	  --ExecutePreprocessor.record_timing=False $(NB)

# The course as a static website in site/ (index: site/index.html), from the stored outputs, offline.
site: setup
	$(BIN)/python tools/build_site.py --out site

bench: setup
	-$(BIN)/python benchmarks/bench_dropout.py
	$(BIN)/python benchmarks/bench_widgets.py

clean:
	rm -rf $(VENV)

# For instructors: a new lesson (package folder, notebook, tests, one manifest line), then
# README's table, lesson 00's map and the neighbours' links regenerated. See CONTRIBUTING.md.
#   make new-lesson SLUG=dropout_schedules TITLE="Dropout schedules"
new-lesson: setup
	@test -n "$(SLUG)" -a -n "$(TITLE)" || { echo 'Usage: make new-lesson SLUG=my_topic TITLE="My topic"'; exit 2; }
	$(BIN)/python tools/lessons.py new "$(SLUG)" "$(TITLE)"

sync-lessons: setup
	$(BIN)/python tools/lessons.py sync

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
# If your copy cannot be kept, nothing is restored (exit code 1).
LESSON ?=
reset:
	@$(PYTHON) tools/reset_lesson.py "$(LESSON)"
