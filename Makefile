# Preventiewijzer — `make run` sets up what is missing and starts the assistant; `make test` tests it.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
MODEL := models/preventiewijzer.tar.gz
TRAINING_INPUTS := config.yml domain.yml $(shell find data -name '*.yml' 2>/dev/null)

export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export TF_DETERMINISTIC_OPS := 1
export PYTHONHASHSEED := 0
export PYTHONPATH := $(CURDIR)
# Keep the output readable: Rasa 3.6 dependencies emit many deprecation warnings.
export PYTHONWARNINGS := ignore::DeprecationWarning,ignore::PendingDeprecationWarning

.PHONY: help run cluster test test-cluster setup knowledge model lock bench eval clean

help:
	@echo "make run    set up what is missing, then start the assistant (Ctrl-C stops it)"
	@echo "make test   run every test: ruff, mypy, rasa data validate, rasa test, pytest incl. end-to-end"
	@echo "make cluster       PostgreSQL, Redis, 2 action servers and 2 Rasa replicas behind nginx (Ctrl-C stops all)"
	@echo "make test-cluster  the cluster tests (tests/cluster: load over both replicas, failures, 10 whole-stack restarts; about 15 minutes)"
	@echo "make bench  print knowledge/plan timings, training time, start time, reply latency, NLU F1, load vs moodbot, turn profile"
	@echo "make eval   officer simulation: 48 scenarios + 20 fuzz conversations (SEEDS=3: also 2 models with other seeds)"
	@echo "make lock   refresh requirements.lock from requirements.in"
	@echo "make clean  remove the trained model and local databases"

run: setup
	@$(PY) -m bot run

test: setup
	@scripts/test.sh

# The scale-out topology on this machine (bot/cluster.py); the services from Debian's packages.
cluster: setup
	@scripts/install-cluster-services.sh
	@$(PY) -m bot cluster

test-cluster: setup
	@scripts/install-cluster-services.sh
	@$(PY) -m pytest tests/cluster --cluster -q -p no:cacheprovider

bench: setup
	@$(PY) benchmarks/bench_knowledge.py
	@$(PY) benchmarks/bench_assistant.py
	@$(PY) benchmarks/bench_nlu.py $(MODEL)
	@$(PY) benchmarks/bench_load.py --model $(MODEL)
	@$(PY) benchmarks/profile_turn.py --model $(MODEL)

# The officer simulation (benchmarks/officer_sim.py); SEEDS=N also trains models/seed-2..N.tar.gz
# with other random seeds and runs the simulation against each model.
SEEDS ?= 1
eval: setup
	@$(PY) benchmarks/eval_seeds.py --seeds $(SEEDS) --fuzz 20

setup: $(VENV)/.installed
	@scripts/install-nl-model.sh $(PY)
	@$(MAKE) --no-print-directory knowledge model

$(VENV)/.installed: requirements.lock
	@scripts/make-venv.sh $(VENV)
	@touch $@

knowledge:
	@echo "== Knowledge base"
	@$(PY) -m knowledge load

model: $(MODEL)

$(MODEL): $(TRAINING_INPUTS) $(VENV)/.installed
	@echo "== Rasa model: training (a few minutes on 2 cores the first time; later only what changed)"
	@mkdir -p models
	@$(PY) -m bot.train --log var/train.log -- --fixed-model-name preventiewijzer --out models
	@touch $@

lock: $(VENV)/.installed
	@echo "# Frozen with Python 3.10 from requirements.in — do not edit by hand; run 'make lock'." > requirements.lock.new
	@$(PY) -m pip install --quiet -r requirements.in
	@$(PY) -m pip freeze --exclude-editable | grep -v -i '^nl.core.news.sm' >> requirements.lock.new
	@mv requirements.lock.new requirements.lock

clean:
	rm -rf models var .rasa
