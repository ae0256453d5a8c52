# medallion-lab: every command a lab needs. `make help` lists them.
#
# The embedded default runs everything on this machine: Spark in local mode, DuckDB,
# Airflow with a SQLite metadata DB in .airflow/. Nothing here needs Docker.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
DATASET ?= ecommerce
DAYS ?= 3
SIZE ?= small
START ?= 2026-11-01
# make bench: orders a day of the benchmark (tiny|10k|100k|1m|10m); more options in BENCH_ARGS.
SCALE ?= 1m
# make lab-start / check-lab / lab-solution: which lab (1-4).
N ?= 1

# --- Environment of the embedded default --------------------------------------------
# Java 17 for Spark: the JDK that `java` on the PATH belongs to, unless JAVA_HOME is set.
JAVA_HOME ?= $(shell dirname $$(dirname $$(readlink -f $$(command -v java))) 2>/dev/null)
export JAVA_HOME
export PATH := $(BIN):$(PATH)
export MEDALLION_HOME := $(CURDIR)
export AIRFLOW_HOME ?= $(CURDIR)/.airflow
export AIRFLOW__CORE__DAGS_FOLDER := $(CURDIR)/airflow/dags
export AIRFLOW__CORE__LOAD_EXAMPLES := False
export AIRFLOW__CORE__PARALLELISM := 4
export AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION := True
export AIRFLOW__COSMOS__ENABLE_TELEMETRY := False
# Where Spark runs is an Airflow connection: here the warm engine, one Spark Connect
# server on loopback that `make engine` starts once per machine (medallion/engine.py), so
# no task pays a JVM start. Other choices of the same connection (README "Where Spark
# runs"): a JVM inside each task, {"conn_type": "spark", "host": "local[2]"}, or a
# standalone cluster; docker compose points it at the lab's Connect server.
# Spark's own logging (spark/conf/log4j2.properties): warnings and errors only, so a
# successful Spark task's log (stderr: red in Airflow) has no start-up notes. Spark binds
# to loopback, which also spares the note that the host name resolves to it.
export SPARK_CONF_DIR ?= $(CURDIR)/spark/conf
export SPARK_LOCAL_IP ?= 127.0.0.1
export MEDALLION_ENGINE_PORT ?= 15002
export AIRFLOW_CONN_SPARK_DEFAULT ?= {"conn_type": "spark_connect", "host": "sc://127.0.0.1", "port": $(MEDALLION_ENGINE_PORT)}

# Run metrics go to the local Pushgateway of `make monitor`; when it is not running each
# task logs once that metrics were not pushed, and the pipeline carries on.
export MEDALLION_PUSHGATEWAY_URL ?= http://127.0.0.1:19091

# Lineage: the OpenLineage provider sends a START and a COMPLETE (or FAIL) event for every
# task, naming the lake folders it read and wrote (medallion/lineage.py), as JSON lines
# appended to LINEAGE_FILE. Read them with `make lineage`. LINEAGE=off turns them off.
LINEAGE ?= on
LINEAGE_FILE ?= $(AIRFLOW_HOME)/openlineage-events.jsonl
export AIRFLOW__OPENLINEAGE__DISABLED := $(if $(filter off,$(LINEAGE)),true,false)
export AIRFLOW__OPENLINEAGE__NAMESPACE ?= medallion-lab
export AIRFLOW__OPENLINEAGE__TRANSPORT ?= {"type": "file", "log_file_path": "$(LINEAGE_FILE)", "append": true}
# Sent from a thread of the task, not a forked copy of it: a task process may hold a JVM
# or gRPC channels (Spark), which do not survive a fork well; ~0.15 s a task, not ~0.3 s.
export AIRFLOW__OPENLINEAGE__EXECUTE_IN_THREAD ?= true

# Faults of the "Break it!" lab (make break SCENARIO=metrics-down|webhook-down) live here
# until `make reset`: they point the Pushgateway or the alert webhook at a closed port.
-include $(AIRFLOW_HOME)/faults.env

# Which DAG runs a dataset, and for which logical dates: medallion.dag_runs decides and
# checks (sensors: HOURS hours from START; ecommerce and attendance: DAYS days from START;
# a dataset of your own: the dates its landing folder holds; or DATES="2026-11-02 ...").
GENERATED := ecommerce attendance sensors
HOURS ?= 6

# Values given on make's command line reach the commands below only as environment
# variables, always quoted ("$$START"): text typed after START= is never run as code.
export DATASET DAYS SIZE START SCALE N HOURS DATES NAME FILE TABLE DATE SCENARIO VARIANT DS Q PY WHEELHOUSE KEY AGAIN SUMMARY WHO

.PHONY: help setup lock wheelhouse check-python source-db source-db-stop engine engine-stop engine-status demo generate run new-dataset contracts trace lineage airflow docs docs-assets monitor monitor-stop env lab-up lab-down break bench \
        slides check-env class-report lab-start check-lab lab-solution checkpoint test test-fast lint format reset clean

help: ## List the targets
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36mmake %-18s\033[0m %s\n", $$1, $$2}'

# --- Install: the lock, uv, the offline wheelhouse -----------------------------------
# requirements.lock pins every package for Python 3.11-3.13 on Linux and macOS, with
# hashes; uv installs exactly it (`pip sync`: nothing more, nothing less). uv itself comes
# from requirements-tools.lock into .tools/, by pip, so a fresh machine needs only python3.
# make setup WHEELHOUSE=<folder> installs from a folder `make wheelhouse` filled, offline.
TOOLS := .tools
UV := $(CURDIR)/$(TOOLS)/bin/uv
export UV_PYTHON_DOWNLOADS := never
WHEELHOUSE ?=
FROM_WHEELHOUSE = $(if $(WHEELHOUSE),--no-index --find-links "$$WHEELHOUSE/wheels")
UV_INSTALL = $(UV) pip sync --quiet --require-hashes --build-constraints requirements-tools.lock \
             $(if $(WHEELHOUSE),--offline) $(FROM_WHEELHOUSE)
# Python versions the lock is resolved and checked for (make lock, make wheelhouse)
PYTHONS := 3.11 3.12 3.13

$(UV): requirements-tools.lock
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --require-hashes --no-deps $(FROM_WHEELHOUSE) -r requirements-tools.lock
	touch $@

$(VENV)/.installed: requirements.lock requirements-tools.lock pyproject.toml | $(UV)
	@command -v java >/dev/null || { echo "Java 17 is needed for Spark: apt-get install openjdk-17-jre-headless"; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(not (3, 11) <= sys.version_info[:2] <= (3, 13))' || { \
	  echo "Python 3.11, 3.12 or 3.13 is needed; $(PYTHON) is $$($(PYTHON) -V 2>&1): make setup PYTHON=python3.12"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv --without-pip $(VENV)
	$(UV_INSTALL) --python $(BIN)/python requirements.lock
	$(UV) pip install --quiet --python $(BIN)/python --no-deps --build-constraints requirements-tools.lock \
	  $(if $(WHEELHOUSE),--offline) $(FROM_WHEELHOUSE) -e .
	touch $@

lock: | $(UV) ## Resolve requirements.txt into requirements.lock (Python 3.11-3.13, Linux and macOS, hashes); say what has no wheel
	$(UV) pip compile --quiet --universal --python-version 3.11 --generate-hashes requirements-tools.txt -o requirements-tools.lock
	$(UV) pip compile --quiet --universal --python-version 3.11 --generate-hashes requirements.txt -o requirements.lock
	$(TOOLS)/bin/python -m medallion.wheelhouse check --pythons "$(PYTHONS)"

wheelhouse: .jars/.fetched | $(UV) ## Offline classroom: every file of the lock for Linux/macOS x Python 3.11-3.13, Spark's jars and the Data Docs' npm packages, into WHEELHOUSE=
	@test -n "$$WHEELHOUSE" || { echo "usage: make wheelhouse WHEELHOUSE=<folder>, then on each laptop: make setup WHEELHOUSE=<folder>"; exit 2; }
	$(TOOLS)/bin/python -m medallion.wheelhouse build "$$WHEELHOUSE" --pythons "$(PYTHONS)"
	@# The Data Docs' CSS and JavaScript (npm) into the wheelhouse's npm cache, for make docs-assets
	cache="$$(cd "$$WHEELHOUSE" && pwd)/npm-cache" && cd vendor/data_docs && \
	  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error --cache "$$cache"

check-python: | $(UV) ## Install the lock with another Python in a throw-away venv and import the stack (PY=3.12|3.13)
	@test -n "$$PY" || { echo "usage: make check-python PY=3.12"; exit 2; }
	$(TOOLS)/bin/python -m medallion.python_check "$$PY"
# ---------------------------------------------------------------------------------------

setup: $(VENV)/.installed .jars/.fetched $(AIRFLOW_HOME)/airflow.db ## Create .venv from the lock file (WHEELHOUSE= offline), fetch Spark's jars, Airflow's metadata DB

# Spark's jars (the PostgreSQL JDBC driver) from Maven Central, checked against spark/jars.lock.
.jars/.fetched: spark/jars.lock medallion/jars.py | $(VENV)/.installed
	$(if $(WHEELHOUSE),mkdir -p .jars && cp "$$WHEELHOUSE"/jars/*.jar .jars/)
	$(BIN)/python -m medallion.jars fetch
	touch $@

$(AIRFLOW_HOME)/airflow.db: | $(VENV)/.installed
	mkdir -p $(AIRFLOW_HOME)
	airflow db migrate > $(AIRFLOW_HOME)/db-migrate.log

source-db: setup ## The shop's PostgreSQL on 127.0.0.1:15432 for MEDALLION_ECOMMERCE_SOURCE=postgres: start, load START/DAYS, print the settings
	python -m medallion.sources.source_db up --start "$$START" --days "$$DAYS"

source-db-stop: ## Stop the shop's PostgreSQL of make source-db
	@test ! -d "$(AIRFLOW_HOME)/postgres" || $(BIN)/python -m medallion.sources.source_db stop

engine: setup ## Start the warm Spark engine (a Spark Connect server on 127.0.0.1) unless it runs
	python -m medallion.engine start

engine-stop: ## Stop the warm Spark engine
	$(if $(wildcard $(BIN)/python),$(BIN)/python,$(PYTHON)) -m medallion.engine stop

engine-status: ## Is the warm Spark engine running? Its address, process, uptime and log
	$(if $(wildcard $(BIN)/python),$(BIN)/python,$(PYTHON)) -m medallion.engine status

generate: setup ## Write sample landing files (DATASET=ecommerce|attendance|sensors, DAYS or HOURS, SIZE, START)
	medallion generate "$$DATASET" --start "$$START" --days "$$DAYS" --size "$$SIZE" $(if $(filter sensors,$(DATASET)),--hours "$$HOURS")

run: setup engine ## Run the dataset's DAG once per date through Airflow (or DATES="2026-11-02 ...")
	python -m medallion.dag_runs --dataset "$$DATASET" --start "$$START" --days "$$DAYS" --hours "$$HOURS" --dates "$$DATES"

demo: setup $(if $(filter $(DATASET),$(GENERATED)),generate) run ## Set up, generate sample data, run the pipeline, print a summary (DATASET=...)
	medallion summary "$$DATASET"

new-dataset: setup ## Draft a contract and a pipeline from your file (NAME, FILE; TABLE, DATE optional)
	@test -n "$$NAME" -a -n "$$FILE" || { echo "usage: make new-dataset NAME=<dataset> FILE=<file.csv|file.jsonl> [TABLE=<table>] [DATE=YYYY-MM-DD]"; exit 2; }
	medallion new-dataset "$$NAME" "$$FILE" $(if $(TABLE),--table "$$TABLE") $(if $(DATE),--date "$$DATE")

contracts: setup ## After editing a contract: rewrite what derives from it (GX suites; scaffolded dbt staging, sources, marts)
	python -m medallion.scaffold.regenerate

trace: setup ## Follow one record from landing file to gold: DATASET=..., KEY=<order_id> | "<student_id>,<date>" | "<device_id>,<measured_at>"
	@test -n "$$KEY" || { echo 'usage: make trace DATASET=ecommerce|attendance|sensors KEY=... (e.g. KEY=O-20261101-00000040)'; exit 2; }
	python -m medallion.trace_report "$$DATASET" "$$KEY"

lineage: ## The last run's OpenLineage events: what each task read and wrote (LINEAGE_FILE)
	$(if $(wildcard $(BIN)/python),$(BIN)/python,$(PYTHON)) -m medallion.lineage "$(LINEAGE_FILE)"

airflow: setup engine ## Airflow's UI on http://127.0.0.1:8080 (airflow standalone, loopback only), login printed
	python -m medallion.standalone

docs: setup docs-assets ## Quality gate results (DATASET=...), then Data Docs on http://127.0.0.1:8765, no internet needed
	python -m medallion.quality.docs --serve --dataset "$$DATASET"

# The CSS and JavaScript Data Docs pages load, from the npm registry at the versions GX
# names (vendor/data_docs/package-lock.json), so `make docs` works without internet.
docs-assets: vendor/data_docs/node_modules/.installed ## Install the Data Docs' CSS and JavaScript (npm; WHEELHOUSE= offline; licences: vendor/data_docs/README.md)

vendor/data_docs/node_modules/.installed: vendor/data_docs/package.json vendor/data_docs/package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for the Data Docs' CSS and JavaScript: apt-get install npm"; exit 1; }
	$(if $(WHEELHOUSE),cache="$$(cd "$$WHEELHOUSE" && pwd)/npm-cache" &&) cd vendor/data_docs && \
	  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error $(if $(WHEELHOUSE),--offline --cache "$$cache")
	touch $@

monitor: setup ## Pushgateway, Prometheus, Alertmanager on 127.0.0.1 (Debian packages)
	python -m monitoring.local_stack start

monitor-stop: ## Stop the local monitoring stack
	python -m monitoring.local_stack stop

env: ## Write docker/.env for the compose lab with fresh secrets (keeps an existing one)
	$(PYTHON) -m medallion.env_file

lab-up: env ## The compose lab: Airflow on PostgreSQL, Spark cluster, monitoring (needs Docker)
	docker compose -f docker/docker-compose.yml up

lab-down: ## Stop the compose lab (add -v by hand to delete its databases)
	docker compose -f docker/docker-compose.yml down

break: setup ## Break it! lab: SCENARIO=corrupt-file|duplicate-delivery|late-data|... [VARIANT=] [DS=]
	@test -n "$$SCENARIO" || { python -m medallion.faults --help; exit 2; }
	python -m medallion.faults "$$SCENARIO" $(if $(VARIANT),--variant "$$VARIANT") $(if $(DS),--ds "$$DS")

check-env: ## Lab 0: is this machine ready for the workshop? Says what to fix, ends with a line for the class chat (WHO=, COMPOSE=1, REQUIRE_UI=1)
	$(if $(wildcard $(BIN)/python),$(BIN)/python,$(PYTHON)) -m medallion.teaching.env_check $(if $(COMPOSE),--compose) $(if $(REQUIRE_UI),--require-ui) $(if $(WHO),--who "$$WHO")

class-report: ## Lecturer: who is ready? Reads the check-env lines pasted in the class chat (FILE=chat.txt, or < chat.txt)
	@$(if $(wildcard $(BIN)/python),$(BIN)/python,$(PYTHON)) -m medallion.teaching.class_report $(if $(FILE),"$$FILE")

lab-start: setup ## Labs 1-4: starter files for the pieces lab N has you write, on git branch lab-N (N=1..4; AGAIN=1 starts over)
	python -m medallion.teaching.labs start "$$N" $(if $(AGAIN),--again)

check-lab: setup engine ## Labs 1-4: which milestones of lab N pass, and what is missing (N=1..4; SUMMARY=file adds a Markdown table)
	python -m medallion.teaching.labs check "$$N" $(if $(SUMMARY),--summary "$$SUMMARY")

lab-solution: setup ## Labs 1-4: put lab N's solution files back, your versions backed up (N=1..4)
	python -m medallion.teaching.labs solution "$$N"

# The slides' tool (Marp) from npm, at the versions of package-lock.json; nothing is
# fetched once node_modules/ exists, so the deck also builds offline on the day.
SLIDES := docs/teaching/slides
$(SLIDES)/node_modules/.package-lock.json: $(SLIDES)/package-lock.json
	@command -v npm >/dev/null || { echo "make slides needs Node.js 18+ and npm: sudo apt-get install nodejs npm (macOS: brew install node)"; exit 1; }
	npm ci --prefix $(SLIDES) --ignore-scripts --no-audit --no-fund

slides: $(SLIDES)/node_modules/.package-lock.json ## The morning's theory blocks as a slide deck: docs/teaching/slides/slides.html from slides.md
	cd $(SLIDES) && ./node_modules/.bin/marp --html --allow-local-files slides.md -o slides.html
	@echo "Open $(SLIDES)/slides.html in a browser (F: full screen, P: presenter view)."

checkpoint: setup ## One checkpoint question, one answer: Q=bronze|dbt-test|dag-run (DATASET=...)
	@test -n "$$Q" || { python -m medallion.teaching.checkpoints --help; exit 2; }
	python -m medallion.teaching.checkpoints "$$Q" --dataset "$$DATASET" --dag "$$DATASET"_$(if $(filter sensors,$(DATASET)),hourly,daily)

bench: setup engine ## Time every stage beside a plain DuckDB floor: SCALE=tiny|1m|10m [BENCH_ARGS=...] (docs/benchmarks.md)
	python -m medallion.bench --scale "$$SCALE" $(BENCH_ARGS)

test: setup engine docs-assets ## Run the full test suite
	pytest

test-fast: setup ## The inner loop: unit, DAG integrity, gates, monitoring; no whole-DAG runs, no Spark, nothing marked slow
	pytest -m "not integration and not spark and not slow"

lint: setup ## ruff (Python), sqlfluff (dbt SQL), actionlint + zizmor (GitHub workflows), GX suites and dbt files in step with the contracts
	ruff check .
	ruff format --check .
	sqlfluff lint dbt/models dbt/tests dbt/macros
	actionlint
	zizmor --offline --quiet .github/workflows
	python -m medallion.scaffold.regenerate --check

format: setup ## Fix formatting with ruff
	ruff format .
	ruff check --fix .

reset: source-db-stop ## Delete generated data, the lake, the warehouse, Airflow's state and lab faults (keeps .venv)
	@# the catalogue API a network-timeout scenario started (its process group)
	@test ! -f $(AIRFLOW_HOME)/catalogue-api.pid || kill -- -$$(cat $(AIRFLOW_HOME)/catalogue-api.pid) 2>/dev/null || true
	rm -rf data/landing data/lake data/warehouse data/sources data/reports $(AIRFLOW_HOME) dbt/target dbt/logs great_expectations/uncommitted

clean: reset engine-stop ## Also stop the Spark engine and delete the virtual environment
	rm -rf $(VENV) $(TOOLS) .engine
