# The course's two commands: `make test` (offline smoke suite) and `make course` (build/ handouts).
# Both create the virtual environment themselves, so a fresh clone needs nothing else.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
SMOKE_ENV := COURSE_MODE=smoke HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 COURSE_WIDGETS=static
PYTEST_NB := --nbval-lax --nbval-current-env --nbval-cell-timeout=600

.PHONY: install test unit notebooks course lab test-latest strip clean

install: $(STAMP)

# torch==2.13.0 first: on the course's CPU machines that is the local CPU wheel, and installing
# it before anything else stops a dependency from pulling several GB of CUDA packages.
$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -r requirements.txt
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $(STAMP)

test: $(STAMP)
	$(SMOKE_ENV) $(BIN)/python -m pytest tests notebooks $(PYTEST_NB) -q

unit: $(STAMP)
	$(SMOKE_ENV) $(BIN)/python -m pytest tests -q

notebooks: $(STAMP)
	$(SMOKE_ENV) $(BIN)/python -m pytest notebooks $(PYTEST_NB) -q

course: $(STAMP)
	COURSE_WIDGETS=static $(BIN)/python tools/build_course.py

lab: $(STAMP)
	$(BIN)/python -m jupyter lab notebooks

strip: $(STAMP)
	$(BIN)/nbstripout notebooks/*.ipynb

clean:
	rm -rf build $(VENV)
