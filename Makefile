# The course's two commands: `make test` (offline smoke suite) and `make course` (build/ handouts).
# Both create the virtual environment themselves, so a fresh clone needs nothing else.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# MODE=mini (default): offline, the shipped miniature SD. MODE=full: the same tests against the
# real hub models (the nightly GPU workflow runs `make test MODE=full`). MODE=smoke = mini.
MODE ?= mini
# One torch thread in mini mode: the small models gain little from more, and on a busy 2-core
# machine two threads per process oversubscribe the cores (measured next to a 1-thread job:
# executing notebook 05 took 3 min 13 s with torch's default 2 threads, 9.8 s under nbval with 1).
ifneq ($(filter $(MODE),mini smoke),)
TEST_ENV := COURSE_MODE=$(MODE) HF_HUB_OFFLINE=1 HF_DATASETS_OFFLINE=1 COURSE_WIDGETS=static OMP_NUM_THREADS=1
else
TEST_ENV := COURSE_MODE=$(MODE) COURSE_WIDGETS=static
endif
PYTEST_NB := --nbval-lax --nbval-current-env --nbval-cell-timeout=600

.PHONY: install test unit notebooks test-dtypes course check-course lab test-latest strip clean

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
	$(TEST_ENV) $(BIN)/python -m pytest tests notebooks $(PYTEST_NB) -q

unit: $(STAMP)
	$(TEST_ENV) $(BIN)/python -m pytest tests -q

notebooks: $(STAMP)
	$(TEST_ENV) $(BIN)/python -m pytest notebooks $(PYTEST_NB) -q

# The dtype rehearsal: every unit test and every notebook in float16, then in bfloat16, on the CPU
# (COURSE_DTYPE, COURSE_DEVICE), so a dtype mismatch shows up here before a GPU meets it. Slow,
# because CPUs without AVX-512 emulate both dtypes, so it is not part of `make test`: CI runs it as a
# job of its own (.github/workflows/dtypes.yml). DTYPES=bfloat16 runs one of them.
DTYPES ?= float16 bfloat16
test-dtypes: $(STAMP)
	@status=0; for dtype in $(DTYPES); do \
		echo "=== COURSE_DTYPE=$$dtype on the CPU ==="; \
		$(TEST_ENV) COURSE_DEVICE=cpu COURSE_DTYPE=$$dtype $(BIN)/python -m pytest tests notebooks $(PYTEST_NB) -q \
			|| status=1; \
	done; exit $$status

course: $(STAMP)
	COURSE_WIDGETS=static $(BIN)/python tools/course/build_course.py

# Reads every built handout the way a reader does: headless Chromium, network off (apt-get install chromium).
check-course: $(STAMP)
	$(BIN)/python tools/course/check_handouts.py

lab: $(STAMP)
	$(BIN)/python -m jupyter lab notebooks

strip: $(STAMP)
	$(BIN)/nbstripout --keep-count notebooks/*.ipynb
	$(BIN)/python tools/course/strip_notebooks.py notebooks/*.ipynb || true

# The suite against the newest diffusers/transformers/datasets/huggingface_hub (unpinned), in a
# separate environment, so library drift shows up here before learners meet it in Colab.
LATEST := diffusers transformers datasets huggingface_hub accelerate tokenizers safetensors
test-latest:
	$(PYTHON) -m venv .venv-latest
	.venv-latest/bin/python -m pip install -q --upgrade pip
	.venv-latest/bin/python -m pip install -q torch==2.13.0
	grep -v -i -E '^($(shell echo $(LATEST) | tr ' ' '|'))==' requirements.txt > .venv-latest/requirements-rest.txt
	.venv-latest/bin/python -m pip install -q -r .venv-latest/requirements-rest.txt
	.venv-latest/bin/python -m pip install -q --upgrade $(LATEST)
	.venv-latest/bin/python -m pip install -q --no-deps -e .
	.venv-latest/bin/python -m pip list 2>/dev/null | grep -i -E '^($(shell echo $(LATEST) | tr ' ' '|')) '
	$(TEST_ENV) .venv-latest/bin/python -m pytest tests notebooks $(PYTEST_NB) -q

clean:
	rm -rf build $(VENV) .venv-latest
