# Quick start:  make demo  (set up, train on the embedded corpus, evaluate, write the report)
#               make test  (set up, run every notebook and tests/)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
RUN    ?= runs/demo

.PHONY: setup demo test export readme site-check record-outputs
setup: $(VENV)/.installed

# torch==2.13.0 first (a CPU wheel): an unpinned torch pulled by a dependency would be a multi-GB CUDA build.
$(VENV)/.installed: setup.py settings.ini
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e '.[dev]'
	$(BIN)/python -m pip install -q --no-deps jupyter-server-mathjax==0.2.6
	# nbdev's hooks: notebooks cleaned when Jupyter saves them, merge conflicts in notebooks resolved by nbdev_merge (.gitattributes)
	if git rev-parse --git-dir >/dev/null 2>&1; then $(BIN)/nbdev_install_hooks; fi
	touch $@

# The main job: dataset statistics, then train the `cpu` config on the embedded corpus (5 to 10 minutes on 2 cores),
# write curves, summary.json, the exported encoder and report.html into $(RUN), and evaluate it; its last line is the report's path.
# Running it again in the same folder resumes (and finishes) an interrupted run; a finished one (summary.json) is
# shown, not run again: use RUN=runs/other for a fresh one.
demo: setup
	@if [ -f $(RUN)/summary.json ]; then \
	  echo "$(RUN) holds a finished run: its summary is below. RUN=runs/other make demo trains a fresh one."; \
	  cat $(RUN)/summary.json; echo; echo "report: $(RUN)/report.html"; exit 0; fi; \
	$(BIN)/lejepa-text data --out $(RUN) && $(BIN)/lejepa-text demo --out $(RUN)

# Two pytest workers, one per core (tests/conftest.py gives each worker one torch thread and deals the slowest tests
# out first); --maxschedchunk 1 hands them out a few at a time, so neither worker is left with a queue at the end.
test: setup
	$(BIN)/python -m pytest -q -n 2 --maxschedchunk 1 --durations=12 tests

export: setup
	$(BIN)/nbdev_export && $(BIN)/nbdev_clean

# README.md is generated from nbs/index.ipynb (nbdev_readme needs Quarto, which these machines lack).
readme: setup
	$(BIN)/jupyter nbconvert --to markdown nbs/index.ipynb --output-dir . --output README --log-level WARN
	sed -i 's#](images/#](nbs/images/#g; s#](\([0-9][0-9a-z_]*\.ipynb\)#](nbs/\1#g' README.md  # figures and chapters live in nbs/

# The tutorial site as a reader meets it (no Quarto here): nbdev's docs processing + nbconvert into _site_check/,
# every page loaded in headless Chromium (screenshots in _site_check/screenshots/); exits 1 on any broken page.
site-check: setup
	$(BIN)/python tools/site_check.py

# After executing notebooks: record which exported code made their stored outputs (NB="21_train.ipynb ..." or all).
record-outputs: setup
	$(BIN)/python tools/site_check.py --record $(NB)
