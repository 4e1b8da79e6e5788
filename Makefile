# Strata: the two commands a new user needs are `make run` and `make test`.
# Both install dependencies (Debian packages) and build first.

BUILD_DIR ?= build
# clang + ASan + UBSan: the fuzz targets and test-sanitize (see below).
FUZZ_BUILD_DIR ?= build-fuzz
BUILD_TYPE ?= Release
SANITIZE ?= OFF
JOBS ?= $(shell nproc)
PACKAGES := $(shell grep -v '^\#' deps/debian-packages.txt | grep -v '^$$')
RUN_FLAGS ?=

.PHONY: all deps build run run-demo test test-sanitize test-deploy bench fuzz fuzz-build fuzz-smoke fuzz-save clean package

all: build

# Idempotent: apt-get runs only when a listed package is missing.
deps:
	@missing=$$(for p in $(PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "installing: $$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q --no-install-recommends $$missing; \
	  for s in prometheus prometheus-node-exporter victoria-metrics dnsmasq; do $$SUDO systemctl disable --now $$s >/dev/null 2>&1 || true; done; \
	else echo "deps: all $(words $(PACKAGES)) packages present"; fi
	@# npm (offline validation of deploy/kubernetes, later the web UI): Debian's
	@# unless a Node.js that brings its own npm is installed.
	@command -v npm >/dev/null || { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q --no-install-recommends npm; }

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DSTRATA_SANITIZE=$(SANITIZE)

# ccache keyed on paths relative to the checkout and without the locale
# (ccache hashes LANG and LC_*): another clone, or the image build
# (deploy/container/build.sh, which runs this target), reuses these objects.
build: deps $(BUILD_DIR)/build.ninja
	env -u LANG -u LC_ALL -u LC_CTYPE -u LC_MESSAGES CCACHE_BASEDIR=$(CURDIR) \
	  cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	./$(BUILD_DIR)/strata $(RUN_FLAGS)

# The seeds' Grafana dashboards with live data: the stand-in service of
# deploy/compose/demo on 127.0.0.1:8000, scraped with the compose stack's jobs
# and rules, and --web.dashboards.dir=deploy/dashboards. Open
# http://localhost:9090/dashboards; Ctrl-C stops both.
run-demo: build
	sed -e 's/demo:8000/127.0.0.1:8000/' -e 's#/etc/strata/rules/#$(CURDIR)/deploy/rules/#' \
	  -e '/stack.rules.yml/d' -e '/^alerting:/,/alertmanager:9093/d' \
	  deploy/compose/strata.yml > $(BUILD_DIR)/demo-strata.yml
	/usr/bin/python3 deploy/compose/demo/demo_service.py --listen 127.0.0.1:8000 & demo=$$!; \
	trap 'kill $$demo' EXIT INT TERM; \
	./$(BUILD_DIR)/strata --config.file=$(BUILD_DIR)/demo-strata.yml \
	  --storage.tsdb.path=$(BUILD_DIR)/demo-data --web.dashboards.dir=deploy/dashboards $(RUN_FLAGS)

# Everything, then the same suite (minus SANITIZE_SKIP) under ASan + UBSan,
# then every fuzz target for a few seconds.
test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 900
	$(MAKE) test-sanitize
	$(MAKE) fuzz FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS) FUZZ_JOBS=$(JOBS)

# The unit and integration tests built with clang, ASan and UBSan in
# $(FUZZ_BUILD_DIR): the same instrumented libraries as the fuzz targets, so
# CI compiles them once for both. Any sanitizer report fails its test.
# Skipped, and why: the deployment tests (deploy_*: they check files, build
# their own image or package this build's binary, which a sanitized one
# only slows), the side-by-side runs against Prometheus that compare
# timing-bound scrape and rule evaluation rounds (a sanitized binary is 2-3x
# slower, so rounds drift; they run unsanitized above), the web UI (not
# built here), and, to keep CI's time, the slowest comparisons with other
# programs' output (promtool, Prometheus' text parser, the OpenTelemetry JS
# SDK, the hand-written difftest corpus; they run unsanitized above, and the
# code they exercise has sanitized unit tests and fuzz targets here).
SANITIZE_SKIP ?= deploy_|scrape_oracle|rules_oracle|alerting_e2e|web_ui|web_dashboards|_vs_promtool|_vs_prometheus|OtlpJs|DiffTest.StrataAnswersLikePrometheus242
SANITIZE_ENV ?= ASAN_OPTIONS=detect_leaks=1:strict_string_checks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
test-sanitize: deps $(FUZZ_BUILD_DIR)/build.ninja
	CCACHE_NOHASHDIR=1 CCACHE_BASEDIR=$(CURDIR) cmake --build $(FUZZ_BUILD_DIR) -j $(JOBS)
	cd $(FUZZ_BUILD_DIR) && $(SANITIZE_ENV) ctest --output-on-failure -j $(JOBS) --timeout 900 -E '$(SANITIZE_SKIP)'

# The container image (deploy/Dockerfile) and the compose stack
# (deploy/compose, deploy/stack) built and run for real with podman (root);
# also part of `make test` (ctest deploy_container, deploy_compose).
test-deploy: deps
	/usr/bin/python3 tests/deploy/container_test.py $(CURDIR)
	/usr/bin/python3 tests/deploy/compose_test.py $(CURDIR)

# A Debian package in $(BUILD_DIR)/package/ (deploy/packaging.cmake).
package: build
	cd $(BUILD_DIR) && cpack

bench: build
	./bench/compare

# libFuzzer targets of every parser and decoder (tests/fuzz/README.md), built
# with clang, ASan and UBSan in $(FUZZ_BUILD_DIR) (only the fuzz targets and
# the libraries they need), each run for FUZZ_SECONDS on a corpus grown in
# $(FUZZ_BUILD_DIR)/corpus/; prints executions and crashes per target and
# fails on a crash. `make fuzz-smoke` is the short run CI does.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?=
FUZZ_NICE ?= 0
# Targets run at once; executions after which a target stops early in this
# run, and the campaign total at which it stops (0 = none):
# `make fuzz FUZZ_SECONDS=3600 FUZZ_GOAL=10000000 FUZZ_JOBS=2` is a campaign
# round toward 10 M executions per target.
FUZZ_JOBS ?= 1
FUZZ_RUNS ?= 0
FUZZ_GOAL ?= 0
FUZZ_SMOKE_SECONDS ?= 10

$(FUZZ_BUILD_DIR)/build.ninja:
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_BUILD_DIR) -G Ninja -DSTRATA_FUZZ=ON \
	  -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_FLAGS_RELEASE="-O2 -gline-tables-only" \
	  -DSTRATA_WEB_UI=OFF -DSTRATA_BUILD_BENCH=OFF

# ccache: the fuzz flags include debug line tables, for which ccache hashes
# the working directory; without that (and with paths relative to the
# checkout) a fresh clone, as CI's, reuses the objects of an earlier one.
fuzz-build: deps $(FUZZ_BUILD_DIR)/build.ninja
	CCACHE_NOHASHDIR=1 CCACHE_BASEDIR=$(CURDIR) cmake --build $(FUZZ_BUILD_DIR) -j $(JOBS) --target fuzz_all

fuzz: fuzz-build
	/usr/bin/python3 tests/fuzz/run_fuzz.py --build-dir $(FUZZ_BUILD_DIR) \
	  --seconds $(FUZZ_SECONDS) --nice $(FUZZ_NICE) --only "$(FUZZ_TARGETS)" \
	  --jobs $(FUZZ_JOBS) --runs $(FUZZ_RUNS) --goal $(FUZZ_GOAL)

fuzz-smoke:
	$(MAKE) fuzz FUZZ_SECONDS=$(FUZZ_SMOKE_SECONDS) FUZZ_JOBS=$(JOBS)

# Carries the campaign to the next machine: merges the grown corpus into
# tests/fuzz/corpus/ (inputs that add coverage) and this machine's ledger
# into tests/fuzz/ledger.tsv; commit both.
fuzz-save: fuzz-build
	/usr/bin/python3 tests/fuzz/run_fuzz.py --build-dir $(FUZZ_BUILD_DIR) --save --only "$(FUZZ_TARGETS)"

clean:
	rm -rf $(BUILD_DIR)
