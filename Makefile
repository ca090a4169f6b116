# The two commands of the README: `make run` and `make test`. Everything else here serves them.
PORT ?= 8000
VENV ?= .venv
PY := $(VENV)/bin/python
# The first Python 3.12+ found: pyenv's .python-version (3.13) makes python3 fit on our machines.
PYTHON ?= $(shell for p in python3.13 python3.12 python3 $(wildcard $(HOME)/.pyenv/versions/3.1[23]*/bin/python3); do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { command -v $$p; break; }; done)

.PHONY: run test bench setup static browser lock clean

$(PY):
	@test -n "$(PYTHON)" || { echo "Python 3.12 or newer is needed: install it, or name it with 'make PYTHON=/path/to/python3.12 ...'." >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-test: requirements.txt requirements-test.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements-test.txt
	touch $@

# Browser tests drive Debian's Chromium; install it where we may, else they skip and say why.
browser:
	@command -v chromium >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 && \
		(apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) ; } || \
		echo "Chromium could not be installed: the browser tests will be skipped." >&2

static: $(VENV)/.installed
	$(PY) manage.py collectstatic --noinput --verbosity 0

setup: static
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_guides

# gunicorn serves; beside it, the worker that delivers escalations (idle with no destination set),
# started again a second after it dies (exits non-zero or is killed), stopped when gunicorn stops,
# whatever stopped it. The loop passes SIGTERM on to the worker and ends with it.
run: setup
	( trap 'kill $$child 2>/dev/null; wait $$child; exit 0' TERM; \
	  while :; do $(PY) manage.py deliver_escalations & child=$$!; wait $$child && break; \
	  echo "deliver_escalations ended (status $$?); starting it again in 1 s" >&2; sleep 1; done ) & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(VENV)/bin/gunicorn wizard.wsgi --bind 127.0.0.1:$(PORT) --workers 2

# Tests render pages through the same hashed, compressed static files as production.
test: static browser $(VENV)/.installed-test
	$(PY) -m pytest

# Every kind of page of the wizard as `make run` serves it, beside Django's two floors, driven by wrk:
# benchmarks/http.py (docs/benchmarks.md).
bench: static
	@command -v wrk >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
	$(PY) -m benchmarks.http

lock: | $(PY)
	$(PY) -m pip install --quiet "pip-tools>=7.4"
	$(VENV)/bin/pip-compile --quiet --strip-extras --output-file requirements.txt pyproject.toml
	$(VENV)/bin/pip-compile --quiet --strip-extras --extra test --constraint requirements.txt --output-file requirements-test.txt pyproject.toml

clean:
	rm -rf $(VENV) staticfiles
