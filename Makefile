# Two commands do everything: `make run` and `make test`. Both set up .venv first
# (once; later calls skip it unless pyproject.toml changed).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.setup-stamp
# CPU-only torch, installed before argostranslate: its stanza dependency otherwise
# pulls a multi-GB CUDA build. Override on other machines, e.g.
# make TORCH_SPEC="torch --index-url https://download.pytorch.org/whl/cpu"
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
