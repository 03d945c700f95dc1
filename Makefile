# emotune: two commands on a fresh machine.
#   make demo   set everything up, then run the main job on the built-in default
#   make test   set everything up, then run the whole test suite
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.emotune-installed
# Debian packages the project drives: ffmpeg (decoding, muxing), FluidSynth and a General MIDI
# soundfont (rendering), Chromium (browser tests of the Spaces), GL/GLib (OpenCV inside PySceneDetect).
APT_PACKAGES := ffmpeg fluidsynth fluid-soundfont-gm chromium libgl1 libglib2.0-0
SOUNDFONT := /usr/share/sounds/sf2/FluidR3_GM.sf2
# Two workers on the two cores (each test runs torch on one thread: tests/conftest.py); a file's tests
# stay on one worker, so module fixtures are built once.
PYTEST_ARGS ?= -n 2 --dist loadfile --durations=15

.PHONY: demo test setup system-deps lint format clean

demo: setup
	$(VENV)/bin/emotune demo

test: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(PY) -m pytest $(PYTEST_ARGS)

setup: system-deps $(STAMP)

system-deps:
	@missing=""; \
	for cmd in ffmpeg ffprobe fluidsynth chromium; do command -v $$cmd >/dev/null || missing=1; done; \
	[ -f $(SOUNDFONT) ] || missing=1; \
	ldconfig -p | grep -q 'libGL.so.1 ' || missing=1; \
	if [ -n "$$missing" ]; then \
	  echo ">> installing Debian packages: $(APT_PACKAGES)"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $(APT_PACKAGES) >/dev/null; \
	fi

$(PY):
	$(PYTHON) -m venv $(VENV)

# constraints.txt pins the versions verified together (torch 2.13.0 CPU, torchcodec 0.13, ...).
$(STAMP): pyproject.toml constraints.txt | $(PY)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e ".[all]"
	@# librosa's numba kernels (constant-Q, tuning, Viterbi, ...) compile on first use, about 20 s, and numba
	@# caches them beside librosa in the venv: compile them once here, not in every test worker's first
	@# chord recognition (nor in a user's first prediction)
	$(PY) -c "import numpy as np; from modeling.chord_recognition.dsp import DSPChordRecognizer; \
	noise = np.random.default_rng(0).standard_normal(66150).astype(np.float32) / 10; \
	[DSPChordRecognizer(method=method)(noise, 22050) for method in ('nnls', 'templates')]"
	touch $(STAMP)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
