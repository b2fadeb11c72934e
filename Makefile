# Sigap: the two commands a newcomer needs are `make serve` and `make test`.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
WORKERS ?= $(shell nproc 2>/dev/null || echo 2)
STAMP := $(VENV)/.installed

.PHONY: chat serve serve-cluster nginx dev audit test test-fast install lint messages worker bench bench-api bench-cluster bench-whatsapp screenshots chromium

# Debian packages, retried for two minutes while another apt or dpkg holds its locks (a fresh
# machine's unattended upgrades, a second checkout installing at the same time).
apt_install = for try in 1 2 3 4 5 6 7 8 9 10 11 12; do \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(1) >/dev/null \
	    && break; \
	  [ $$try -lt 12 ] || exit 1; echo "apt is busy or failed: again in 10 s"; sleep 10; \
	done

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade "pip>=24"

$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/pip install -q -c constraints.txt -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

# Links in messages point at the address the server is started on (override: SIGAP_SITE_URL).
export SIGAP_SITE_URL ?= http://$(HOST):$(PORT)

# WhatsApp on the embedded server talks to the local fake Cloud API that `make chat` runs
# (docs/channels.md), unless a real token is set. The app secret is generated once in var/.
CHAT_PORT ?= 8025
ifeq ($(SIGAP_WHATSAPP_TOKEN),)
LOCAL_WHATSAPP = SIGAP_WHATSAPP_TOKEN=local-chat SIGAP_WHATSAPP_PHONE_ID=1000000001 \
  SIGAP_WHATSAPP_API_URL=http://127.0.0.1:$(CHAT_PORT) SIGAP_CHAT_PORT=$(CHAT_PORT) \
  SIGAP_WHATSAPP_APP_SECRET_FILE=$(CURDIR)/var/whatsapp_local_secret
endif

# Start Sigap on the embedded defaults: SQLite in var/, files in var/media/, Huey on SQLite.
# An empty database fills with the demo city's year beside the running server (sigap.demo).
# DEBUG is off (this is the product's server); the secret key is generated once in var/.
serve: export SIGAP_DEBUG = 0
serve: export SIGAP_SECRET_KEY_FILE = $(CURDIR)/var/secret_key
serve: install
	$(BIN)/sigap setup --demo-data-later
	$(BIN)/sigap collectstatic --noinput -v 0
	@echo "Sigap: http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	$(LOCAL_WHATSAPP) $(BIN)/sigap run_huey & WPID=$$!; \
	$(BIN)/sigap demo-data --auto & DPID=$$!; \
	trap 'kill $$WPID $$DPID 2>/dev/null' EXIT INT TERM; \
	$(LOCAL_WHATSAPP) $(BIN)/gunicorn sigap.wsgi:application --bind $(HOST):$(PORT) --workers $(WORKERS) \
	  --access-logfile - --timeout 60

# Several web nodes and workers on this machine (docs/deploy.md, sigap/ops/cluster.py): nginx
# on PORT, two gunicorn nodes on PORT+1 and PORT+2, two Huey workers, the local PostgreSQL
# (database sigap_cluster, created if missing: SIGAP_CLUSTER_DATABASE_URL), Redis (databases
# 8 and 9: SIGAP_CLUSTER_REDIS_URL) and moto's S3 server on PORT+9 as a stand-in for object
# storage. Writes var/cluster/nodes.json and var/cluster/env; Ctrl-C stops it all.
serve-cluster: install nginx
	$(BIN)/python -m sigap.ops.cluster --port $(PORT)

nginx:
	@command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || { \
	  echo "Installing Debian's nginx for the cluster"; \
	  $(call apt_install,nginx-light); }

# Development: Django's own server with DEBUG on and auto-reload (not the product's server).
dev: install
	$(BIN)/sigap setup
	$(BIN)/sigap run_huey & WPID=$$!; trap 'kill $$WPID 2>/dev/null' EXIT INT TERM; \
	SIGAP_DEBUG=1 $(BIN)/sigap runserver $(HOST):$(PORT)

worker: install
	$(BIN)/sigap run_huey

# Chat with the `make serve` beside it by WhatsApp, from this terminal (docs/channels.md).
chat: install
	$(LOCAL_WHATSAPP) $(BIN)/sigap chat --server http://$(HOST):$(PORT)

chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  $(call apt_install,chromium fonts-dejavu-core); }

# The whole suite on SQLite, then again on PostgreSQL/Redis when the test URLs are set.
# Slow tests (load, crash, flood, fuzz: tests/reliability, docs/reliability.md) run only
# with SIGAP_SLOW=1, as .ci/run sets it; a plain `make test` stays a few minutes. Tests held
# to a wall-clock budget (mark `timed`) run after the others, one at a time, so that no other
# test process shares the cores with them.
NOT_SLOW := $(if $(SIGAP_SLOW),, and not slow)
PYTEST_LEG = $(BIN)/pytest -n 2 --dist loadgroup -m "not timed$(NOT_SLOW)" && \
  $(BIN)/pytest -p no:xdist -m "timed$(NOT_SLOW)"
test: install chromium nginx lint
	@echo "== SQLite leg =="
	env -u DATABASE_URL -u REDIS_URL sh -c '$(PYTEST_LEG)'
	@if [ -n "$$SIGAP_TEST_DATABASE_URL$$SIGAP_TEST_REDIS_URL" ]; then \
	  echo "== PostgreSQL/Redis leg: DATABASE_URL=$${SIGAP_TEST_DATABASE_URL:-sqlite} REDIS_URL=$${SIGAP_TEST_REDIS_URL:-none} =="; \
	  DATABASE_URL="$$SIGAP_TEST_DATABASE_URL" REDIS_URL="$$SIGAP_TEST_REDIS_URL" \
	    sh -c '$(PYTEST_LEG)'; \
	fi

# Re-take the screenshots in docs/screenshots/ (the browser tests, saving their pictures).
screenshots: install chromium
	SIGAP_SCREENSHOTS_DIR=$(CURDIR)/docs/screenshots $(BIN)/pytest -m browser -p no:xdist

test-fast: install
	$(BIN)/pytest -x -m "not browser and not slow"

# Errors and likely bugs (pycodestyle, pyflakes, bugbear; pyproject.toml [tool.ruff]).
lint: install
	$(BIN)/ruff check .

messages: install
	$(BIN)/sigap makemessages -l id -l en --ignore=.venv --ignore=var --ignore=bench
	$(BIN)/sigap compilemessages --ignore=.venv

# Known-vulnerable pins (needs the internet: docs/decisions/0006-dependency-audit.md).
audit:
	$(PY) -m venv /tmp/sigap-audit && /tmp/sigap-audit/bin/pip install -q pip-audit
	/tmp/sigap-audit/bin/pip-audit -r constraints.txt --no-deps --disable-pip --strict

bench: install
	$(BIN)/python bench/routing.py

# The Open311 load benchmark (docs/benchmarks.md): SQLite and PostgreSQL + Redis, 1k and 1M
# reports; 25–40 minutes on 2 cores. Needs wrk (installed here) and local PostgreSQL.
bench-api: install
	@command -v wrk >/dev/null 2>&1 || { $(call apt_install,wrk); }
	$(BIN)/python bench/api.py

# Create and list through nginx with one web node and with two, side by side, and the CPU per
# request of each process (docs/benchmarks.md); a few minutes. Needs wrk, nginx, PostgreSQL.
bench-cluster: install nginx
	@command -v wrk >/dev/null 2>&1 || { $(call apt_install,wrk); }
	$(BIN)/python bench/cluster.py

# 200 concurrent WhatsApp conversations through the local fake Cloud API (docs/benchmarks.md).
bench-whatsapp: install
	$(BIN)/python bench/whatsapp.py
