# Harbour: `make run` serves the demo site, `make test` runs every check CI runs.
# Both do all set-up on a fresh machine that has python3.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
CHROMIUM ?= /usr/bin/chromium
HEADERS_MORE := /usr/lib/nginx/modules/ngx_http_headers_more_filter_module.so
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run serve nginx test test-fast lint format check pytest bench load browser demo code clean lock \
	lighthouse lighthouse-bench messages

# `make serve`: the site at https://localhost:8443 unless HOST or PORT is given;
# its app processes on ports from APP_PORT; what it generates in .serve/.
SERVE_HOST := $(if $(filter file,$(origin HOST)),localhost,$(HOST))
SERVE_PORT := $(if $(filter file,$(origin PORT)),8443,$(PORT))
WEB_PROCESSES ?= 2
APP_PORT ?= 9100
SERVE_DIR := .serve

# Installs exactly what the lock files name, each file checked against its
# hash (production installs requirements.lock the same way: docs/deploy.md).
$(BIN)/.installed: requirements.lock requirements-dev.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements-dev.lock
	touch $@

venv: $(BIN)/.installed

## Make the lock files anew from requirements*.txt (after changing a pin).
UV_COMPILE = $(BIN)/uv pip compile --universal --python-version 3.11 --generate-hashes --quiet
lock: venv
	$(UV_COMPILE) requirements.txt -o requirements.lock
	$(UV_COMPILE) requirements-dev.txt -o requirements-dev.lock

## Serve the site with demo data on the embedded defaults (SQLite, in-memory
## channel layer, local media) at http://127.0.0.1:8000 and print the logins.
## The background worker (risk-alert escalation) runs beside the server and
## stops with it.
# Links the demo prints and e-mails point where it serves (PORT=8011 included).
run: export WAGTAILADMIN_BASE_URL ?= http://$(HOST):$(PORT)
run: venv
	$(MANAGE) migrate --no-input
	$(MANAGE) load_demo
	$(MANAGE) harbour_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(MANAGE) runserver $(HOST):$(PORT)

## Run what production runs, under cms.settings.production: collectstatic,
## migrate and the demo data, then the Procfile (WEB_PROCESSES uvicorn app
## processes, one harbour_worker) behind nginx with a self-signed certificate at
## https://localhost:8443. PostgreSQL and Redis from DATABASE_URL and REDIS_URL
## (default: this machine's, database harbour_serve, made when missing); media
## on local disk unless AWS_STORAGE_BUCKET_NAME is set. Ctrl-C stops it all.
serve: venv nginx
	$(BIN)/python -m cms.deploy.serve --folder $(SERVE_DIR) --host $(SERVE_HOST) \
	  --port $(SERVE_PORT) --app-port $(APP_PORT) --processes $(WEB_PROCESSES)
	set -a && . ./$(SERVE_DIR)/env && set +a && \
	  $(MANAGE) collectstatic --no-input --verbosity 0 && \
	  $(MANAGE) migrate --no-input --verbosity 0 && \
	  $(MANAGE) load_demo && \
	  echo "The browser warns about the certificate make serve made for $(SERVE_HOST) (self-signed): accept it once." && \
	  PATH="$(CURDIR)/$(BIN):$$PATH" exec $(BIN)/honcho start \
	    -f $(SERVE_DIR)/Procfile -d . -e $(SERVE_DIR)/env -p $(APP_PORT) \
	    -c web=$(WEB_PROCESSES)

## nginx for `make serve` (and the production-stack test): Debian's nginx-light.
nginx:
	@if { ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; } || [ ! -e $(HEADERS_MORE) ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx-light libnginx-mod-http-headers-more-filter >/dev/null; \
	  else \
	    echo "nginx is missing: install Debian's nginx-light and libnginx-mod-http-headers-more-filter packages (make serve needs them)."; exit 1; \
	  fi; \
	fi

demo: venv
	$(MANAGE) migrate --no-input
	$(MANAGE) load_demo

## The Welsh catalogue (docs/welsh.md): every marked string extracted into
## locale/cy (django.po, djangojs.po; needs GNU gettext), the Welsh filled in
## from CY_SOURCES (translated PO files; an entry already in Welsh keeps it
## unless CY_OVERWRITE=1), both compiled to the .mo files the site reads
## (committed: running the site needs no gettext). Fails while any string
## has no Welsh, naming them.
CY_SOURCES ?=
messages: venv
	$(BIN)/python -m cms.deploy.messages $(if $(CY_OVERWRITE),--overwrite) $(CY_SOURCES)

## Print the current two-factor code of a demo staff account: make code EMAIL=...
code: venv
	$(MANAGE) demo_totp $(EMAIL)

## Everything CI checks: lint (ruff, mypy), Django checks, migrations, the whole pytest suite
## (unit, socket and browser tests).
test: venv browser lint check pytest

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: venv
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check: venv
	DJANGO_SETTINGS_MODULE=cms.settings.test $(BIN)/python manage.py check --fail-level WARNING
	DJANGO_SETTINGS_MODULE=cms.settings.test $(BIN)/python manage.py makemigrations --check --dry-run

## The suite runs on every core (at most four: each worker may start a
## browser and servers of its own); PYTEST_WORKERS=0 runs it in one process.
## Tests are handed out one by one in the suite's order (`--dist loadgroup`
## without reordering), so each worker, like a single process, runs the tests
## that keep the migrations' rows (locales, crisis contacts) before the
## transactional ones that empty the tables, and the browser tests last. Tests
## marked with one `xdist_group` go to one worker together, so a costly session
## fixture they share (the production stack, a live database) starts once.
PYTEST_WORKERS ?= auto
PYTEST_DIST := -n $(PYTEST_WORKERS) --maxprocesses=4 --dist loadgroup --no-loadscope-reorder
pytest: venv
	$(BIN)/pytest $(PYTEST_DIST)

## Browser tests drive Debian's Chromium, video tests use ffmpeg (posters,
## durations, demo clips) and the production-stack test puts nginx in front;
## install them when missing and we are root.
browser:
	@if [ ! -x $(CHROMIUM) ] || ! command -v ffmpeg >/dev/null || [ ! -x /usr/sbin/nginx ] \
	    || [ ! -e $(HEADERS_MORE) ]; then \
	  if [ "$$(id -u)" = "0" ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium ffmpeg fonts-dejavu-core nginx-light libnginx-mod-http-headers-more-filter >/dev/null; \
	  else \
	    echo "Chromium, ffmpeg or nginx is missing: install Debian's chromium, ffmpeg, nginx-light and libnginx-mod-http-headers-more-filter packages (tests need them)."; exit 1; \
	  fi; \
	fi

## The edit-test loop: ruff, then every test but the browser journeys and the
## ones that start services of their own, on every core, each worker on a copy
## of a migrated test database made again only when a migration changes
## (tests/fast_db.py).
## Narrow it with ARGS, e.g. make test-fast ARGS=tests/community/forums.
FAST_DB := $(CURDIR)/.test-db.sqlite3
test-fast: venv
	$(BIN)/ruff check .
	$(BIN)/python -m tests.fast_db $(FAST_DB)
	HARBOUR_TEST_SQLITE=$(FAST_DB) \
	  $(BIN)/pytest $(PYTEST_DIST) --reuse-db \
	  -m "not e2e and not services" $(ARGS)

## Every benchmark but the capacity load test (about 20 minutes on PostgreSQL,
## Redis and nginx: `make load`) and the modules the benchmarks import
## (bench/*_asgi.py, bench/load_*.py).
bench: venv browser nginx lighthouse
	@for script in bench/*.py; do \
	  case $$script in *_asgi.py|bench/load.py|bench/load_*.py) continue;; esac; \
	  echo "== $$script"; $(BIN)/python $$script || exit 1; \
	done

## The capacity load test (issue #18, bench/load.py): signed-in members through
## nginx and the production stack with 1 and 2 app processes, ramped until a
## stopping rule breaks; about 20 minutes (BENCH_LOAD_BUDGET). Needs this
## machine's PostgreSQL and Redis; nginx as `make serve` installs it.
load: venv nginx
	$(BIN)/python bench/load.py

## Lighthouse for bench/lighthouse.py (issue #21 item 6): the npm package at
## the version and hashes bench/lighthouse/package-lock.json names, with the
## machine's Node.js; it drives Debian's Chromium (`make browser`).
LIGHTHOUSE := bench/lighthouse/node_modules/.bin/lighthouse
$(LIGHTHOUSE): bench/lighthouse/package-lock.json
	npm ci --prefix bench/lighthouse --no-audit --no-fund --silent
	touch $@

lighthouse: $(LIGHTHOUSE)

## Lighthouse's accessibility and best-practices scores of the member pages
## through the production stack, beside their floor of 95 (about 6 minutes).
lighthouse-bench: venv browser nginx lighthouse
	$(BIN)/python bench/lighthouse.py

clean:
	rm -rf $(VENV) db.sqlite3 .test-db*.sqlite3* .pytest_cache .ruff_cache bench/lighthouse/node_modules
