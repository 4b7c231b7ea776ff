# capacity — two commands do all set-up: `make report` and `make test`.
# Run `make help` for the list of targets.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
JOBS   ?= $(shell nproc 2>/dev/null || echo 2)

.DEFAULT_GOAL := help
.PHONY: help venv hooks report report-pdf report-all report-full municipality validate test test-fast lint bench lab kernel wheel schema messages clean

help: ## Show this help
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-12s\033[0m %s\n", $$1, $$2}'

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test,lab,dask]'
	$(BIN)/python -m ipykernel install --sys-prefix --name capacity --display-name "capacity (project)" >/dev/null
	# JupyterLab saves the project's notebooks without outputs (capacity.lab.hygiene.pre_save_hook);
	# the server reads <env>/etc/jupyter/jupyter_server_config.json (its .d folder only enables extensions).
	mkdir -p $(VENV)/etc/jupyter
	echo '{"ContentsManager": {"pre_save_hook": "capacity.lab.hygiene.pre_save_hook"}}' \
		> $(VENV)/etc/jupyter/jupyter_server_config.json
	-$(MAKE) --no-print-directory hooks
	touch $(STAMP)

venv: $(STAMP) ## Create the virtual environment and install pinned dependencies

hooks: ## Store notebooks without outputs (.gitattributes) and install the pre-commit hooks
	@git rev-parse --git-dir >/dev/null 2>&1 || { echo "hooks: not a git checkout, nothing to do"; exit 0; }; \
	git config filter.capacity-notebook.clean "$(abspath $(BIN))/python -m capacity.lab.hygiene" && \
	git config filter.capacity-notebook.smudge cat && \
	echo "hooks: git stores notebooks/*.ipynb without outputs (filter capacity-notebook)" && \
	if [ -x $(BIN)/pre-commit ]; then $(BIN)/pre-commit install >/dev/null && \
		echo "hooks: pre-commit runs ruff, codespell, check-yaml and mypy on each commit"; fi

report: $(STAMP) ## Run the report suite on the default scenario (params/baseline.yaml) into reports/
	$(BIN)/capacity run --params params/baseline.yaml --jobs $(JOBS)

report-pdf: $(STAMP) ## As report, and print every report to A4 PDF beside it (needs: apt-get install chromium)
	$(BIN)/capacity run --params params/baseline.yaml --jobs $(JOBS) --pdf

report-all: $(STAMP) ## Every shipped scenario + the 342 Dutch municipal reports of the baseline (~5 min on 2 cores)
	$(BIN)/capacity run --all-scenarios --municipalities all --municipalities-for baseline --jobs $(JOBS)

report-full: $(STAMP) ## Every scenario x every municipality, as the monthly job does (municipal reports in chunks per kernel)
	$(BIN)/capacity run --all-scenarios --municipalities all --jobs $(JOBS)

municipality: $(STAMP) ## One municipality's Dutch report: make municipality GM=GM0363 (code or name)
	$(BIN)/capacity run --municipality "$(GM)"

validate: $(STAMP) ## Check every parameter file in params/
	$(BIN)/capacity validate

# Two pytest-xdist workers; tests of one costly shared fixture (the suite run, the small baseline,
# a module's Lab server) stay on one worker (tests/conftest.py). TEST_JOBS=0 runs in one process.
TEST_JOBS ?= 2

test: $(STAMP) ## Run the whole test suite (unit, integration, notebooks, browser); prints the 15 slowest
	$(BIN)/python -m pytest -q --durations=15 -n $(TEST_JOBS) --dist loadgroup

test-fast: $(STAMP) ## Run only the unit tests
	$(BIN)/python -m pytest -q -m unit

lint: $(STAMP) ## Check style with ruff
	$(BIN)/ruff check src tests benchmarks

bench: $(STAMP) ## Run the benchmarks (print ratios measured side by side; several minutes)
	for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

KERNEL := $(VENV)/share/jupyter/kernels/capacity/kernel.json

$(KERNEL): $(STAMP)
	$(BIN)/python -m ipykernel install --sys-prefix --name capacity --display-name "capacity (project)"

kernel: $(KERNEL) ## (Re)install the notebooks' Jupyter kernel "capacity (project)" into the venv

lab: $(KERNEL) ## Open JupyterLab at the project root (params/, notebooks/, reports/) with the project's kernel
	$(BIN)/jupyter lab --ServerApp.root_dir=$(CURDIR) --LabApp.default_url=/lab/tree/notebooks

wheel: $(STAMP) ## Build the installable wheel (with the notebooks, parameters, data and templates) into dist/
	$(BIN)/python -m pip wheel --no-deps -q -w dist .
	@ls dist/*.whl

schema: $(STAMP) ## Regenerate params/schema.json (JSON Schema of scenario files) from the pydantic models
	$(BIN)/python -m capacity.lab.schema

POT := build/capacity.pot

messages: $(STAMP) ## Extract the texts the code marks (_, N_, NC_) and update the Dutch catalogue; then translate
	mkdir -p build
	$(BIN)/pybabel -q extract -F babel.cfg -k NC_:1c,2 --no-location --omit-header --sort-output -o $(POT) .
	$(BIN)/pybabel -q update -i $(POT) -D capacity -d src/capacity/locale -l nl \
		--ignore-obsolete --width 100
	# no dates or template placeholders in the header: a diff of the .po shows words only
	sed -i -E '/^"(POT-Creation-Date|PO-Revision-Date|Report-Msgid-Bugs-To|Last-Translator): /d' \
		src/capacity/locale/nl/LC_MESSAGES/capacity.po
	@echo "messages: translate every empty or fuzzy entry in src/capacity/locale/nl/LC_MESSAGES/capacity.po"

clean: ## Remove the virtual environment and generated reports
	rm -rf $(VENV) reports dist build
