# Xiangzhi — the two commands of the README are `make run` and `make test`; the rest are parts.
SHELL := /bin/bash
export PATH := $(HOME)/.local/bin:$(PATH)
export UV_PYTHON_DOWNLOADS := never
UV_RUN := uv run --frozen

.DEFAULT_GOAL := help
.PHONY: help deps web run stop demo test unit integration e2e lint format bench stack-up stack-status stack-down

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-13s %s\n", $$1, $$2}'

deps: ## install what is missing (uv, PostgreSQL, Java/Maven and the Kafka jars, Python packages)
	@deploy/local/bootstrap.sh

# The dashboard is rebuilt when anything of web/ but its outputs is newer than the build.
WEB_SOURCES := $(shell find web -path web/node_modules -prune -o -path web/dist -prune -o -type f -print 2>/dev/null)
web/dist/index.html: $(WEB_SOURCES)
	@deploy/local/build-web.sh

web: deps web/dist/index.html ## build the web dashboard (web/ -> web/dist, served by the gateway at /)

run: deps web ## bring the whole platform up here and print its URL; Ctrl-C (or make stop) ends it
	@$(UV_RUN) xiangzhi-stack run

stop: ## stop a platform started with make run
	@$(UV_RUN) xiangzhi-stack stop

# `make demo VILLAGES=300`, or any option of `xiangzhi-stack demo --help` in ARGS.
demo: deps ## load Dongzhuang and N more villages through the gateway (make run in another terminal)
	@$(UV_RUN) xiangzhi-stack demo $(if $(VILLAGES),--villages $(VILLAGES)) $(ARGS)

test: deps web ## run every test against the real Kafka and PostgreSQL (started when needed)
	@cd web && npm test --silent
	@$(UV_RUN) pytest

# The three parts of `make test`; their markers are the harness's (unit: no I/O at all).
unit: deps web ## the unit tests only: pure logic, no I/O, no stack started (seconds)
	@cd web && npm test --silent
	@$(UV_RUN) pytest -m unit

integration: deps ## the integration tests but the e2e suite, against the real Kafka and PostgreSQL
	@$(UV_RUN) pytest -m integration --ignore=tests/e2e

e2e: deps web ## the e2e suite: the platform as make run starts it, driven over HTTP (tests/e2e)
	@$(UV_RUN) pytest tests/e2e

lint: deps ## ruff (lint and format) and mypy --strict
	@$(UV_RUN) ruff check .
	@$(UV_RUN) ruff format --check .
	@$(UV_RUN) mypy

format: ## apply ruff's fixes and formatting
	@$(UV_RUN) ruff check --fix .
	@$(UV_RUN) ruff format .

stack-up: deps ## start Kafka (KRaft) and PostgreSQL; returns when both answer (reuses a running stack)
	@$(UV_RUN) xiangzhi-stack up

stack-status: ## show the stack's processes by pid and whether they answer
	@$(UV_RUN) xiangzhi-stack status --check

stack-down: ## stop exactly the processes the launcher started
	@$(UV_RUN) xiangzhi-stack down

bench: deps ## the benchmarks, each beside this machine's limits (writes bench/results/, prints a summary)
	@$(UV_RUN) --group bench python -m bench.appends --commands 20000
	@$(UV_RUN) python -m bench.relay --events 50000
	@$(UV_RUN) python -m bench.projection --events 200000
	@$(UV_RUN) --group bench python -m bench.grid_issues --commands 3000 --rate 200 --seconds 20
	@$(UV_RUN) --group bench python -m bench.gateway --requests 3000
	@$(UV_RUN) --group bench python -m bench.party_policy --events 10000 --rate 400
	@$(UV_RUN) --group bench python -m bench.privacy --commands 10000
	@$(UV_RUN) --group bench python -m bench.economy --commands 2000 --rows 10000
	@$(UV_RUN) --group bench python -m bench.livelihood --issues 600 --rate 20
	@$(UV_RUN) --group bench python -m bench.county --villages 300 --requests 200
	@$(UV_RUN) python -m bench.county_rebuild --events 3000000 --villages 300
	@$(UV_RUN) python -m bench.summary
