# Testlab: `make run` serves the demo, `make test` runs the whole suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# tests run in parallel processes, one per CPU (pytest-xdist); PYTEST_WORKERS= runs them in one
PYTEST_WORKERS ?= -n auto --dist load
FLASK  := $(BIN)/flask --app lab
export FLASK_APP := lab

.PHONY: run test lint translations extract-messages bench clean check-python

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Testlab needs Python 3.11 or newer (found %s)" % sys.version.split()[0])'

$(VENV)/.installed: pyproject.toml | check-python
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

translations: $(VENV)/.installed
	$(BIN)/pybabel compile --use-fuzzy -d lab/translations -f

extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg --ignore-dirs='.*' -k _l -k lazy_gettext -o lab/translations/messages.pot --no-location --sort-output .
	$(BIN)/pybabel update -i lab/translations/messages.pot -d lab/translations --no-fuzzy-matching --ignore-obsolete

run: $(VENV)/.installed translations
	$(FLASK) db upgrade
	$(FLASK) lab seed-demo
	$(FLASK) run --host 127.0.0.1 --port 5000

test: $(VENV)/.installed-dev translations
	$(BIN)/python -m pytest $(PYTEST_WORKERS) $(PYTEST_ARGS)

bench: $(VENV)/.installed-dev translations
	$(BIN)/python -m bench.leaderboard $(BENCH_ARGS)
	$(BIN)/python -m bench.campaigns $(BENCH_ARGS)
	$(BIN)/python -m bench.feedback $(BENCH_ARGS)
	$(BIN)/python -m bench.logistics $(BENCH_ARGS)
	$(BIN)/python -m bench.community $(BENCH_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check lab tests

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
