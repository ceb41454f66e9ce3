# Safety Net Exchange — the commands. `make run` and `make test` are all a fresh clone needs.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp
PYTHON ?= python3

BENCH_VENV := .venv-bench

SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
BROWSER_PACKAGES := chromium fonts-wqy-microhei

.PHONY: install browser run demo test fuzz soak lint fmt migrate bench bench-match bench-venv clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml setup.py $(wildcard services/matching/engine/*.pyx services/matching/engine/*.pxi) | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test,dev]'
	@touch $(STAMP)

install: $(STAMP) ## create .venv/ and install the project with test and dev tools

run: install ## migrate and start intake :8001, matching :8002, exchange :8003 on SQLite under ./var
	$(VENV)/bin/snx run

demo: install ## a small county end to end through all three services; checks itself against the truth
	$(PY) -m demo $(DEMO_ARGS)

migrate: install ## bring every service's database to head
	$(VENV)/bin/snx migrate

browser: ## headless Chromium and a Chinese font for the console's browser tests (Debian packages)
	@if [ -x /usr/bin/chromium ] && [ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ]; then :; \
	elif command -v apt-get >/dev/null; then \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(BROWSER_PACKAGES); \
	else echo "no apt-get: install Chromium yourself for the browser tests (they are skipped without it)"; fi

test: install browser ## the whole suite (SQLite; PostgreSQL too when CI=true or TEST_DATABASE_URL is set)
	$(PY) -m pytest $(PYTEST_ARGS)

soak: install ## R2 at length: ≥ 10,000 events through repeated kill -9 of matching and intake (PostgreSQL)
	SNX_SOAK=1 CI=true $(PY) -m pytest -q tests/soak -k postgresql

fuzz: install ## R6 at length: 1,000 generated requests per operation of every service (make test: 100)
	SNX_FUZZ_EXAMPLES=1000 SNX_FUZZ_RANDOM=1 $(PY) -m pytest -q tests/fuzz

bench: install ## the speed benchmarks (PostgreSQL on 127.0.0.1:5432); figures go in docs/benchmarks.md
	$(PY) bench/intake_submit.py --rate 300 --seconds 20 --runs 3 --precheck instant
	$(PY) bench/intake_submit.py --rate 300 --seconds 20 --runs 3 --precheck down
	$(PY) bench/intake_submit.py --rate 300 --seconds 20 --runs 3 --precheck stub
	$(PY) bench/intake_import.py --applications 100000 --runs 3
	$(PY) bench/intake_import.py --applications 100000 --runs 1 --format xlsx
	$(MAKE) bench-match

bench-venv: $(BENCH_VENV)/.installed-stamp ## a separate venv with Splink, the peer of bench/match_accuracy.py

$(BENCH_VENV)/.installed-stamp: bench/requirements-splink.txt
	$(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet --disable-pip-version-check -r bench/requirements-splink.txt
	@touch $@

bench-match: install bench-venv ## M1-M4: accuracy beside Splink, batch scale, real-time query
	$(PY) bench/match_accuracy.py --persons 100000 --seed 7 --runs 3
	$(PY) bench/match_scale.py --sizes 100000 300000 1000000 3000000 --runs 3
	$(PY) bench/match_query.py --persons 1000000 --queries 2000 --rounds 3

lint: install ## ruff and mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy shared services bench demo

fmt: install ## format and autofix
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache test-artifacts $(BENCH_VENV)
