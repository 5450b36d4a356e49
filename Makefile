# Two commands do everything: `make run` and `make test`. Both set up .venv first
# (once; later calls skip it unless pyproject.toml changed).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.setup-stamp
# torch, installed before argostranslate: its stanza dependency otherwise pulls the
# newest torch. torch==2.13.0 is the CPU build only where pip finds a local +cpu wheel
# (this project's machines, Python 3.11); from PyPI it is the CUDA build, about 5 GB.
# Other machines and Pythons (3.12, 3.13), e.g.
# make PYTHON=python3.13 TORCH_SPEC="torch --index-url https://download.pytorch.org/whl/cpu"
# Without torch at all (never imported): README, Quick start.
TORCH_SPEC ?= torch==2.13.0

.PHONY: setup run test lint clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "Python 3.11 or newer is needed: make PYTHON=python3.11 ..."; exit 2; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q $(TORCH_SPEC)
	$(PY) -m pip install -q -e '.[test]'
	touch $(STAMP)

# Exit code 3 (missing translation models) still wrote every other output.
run: setup
	$(VENV)/bin/pipeline run corpus --out outputs || [ $$? -eq 3 ]

test: setup
	$(PY) -m pytest -q

lint: setup
	$(VENV)/bin/ruff check pipeline tests bench

clean:
	rm -rf $(VENV) outputs/clean outputs/translations outputs/*.jsonl outputs/*.json
