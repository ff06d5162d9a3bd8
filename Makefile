# Round Table: two commands, `make demo` and `make test`. Both install missing Debian packages first.
SHELL := /bin/bash
BUILD_DIR ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo

# Build, test and demo dependencies: Debian 12 packages only.
PACKAGES := build-essential cmake pkg-config lld libnats-dev libcpp-httplib-dev nlohmann-json3-dev \
  libhiredis-dev libyaml-cpp-dev libssl-dev libgtest-dev libgmock-dev libbenchmark-dev \
  nats-server redis-server prometheus python3 python3-yaml python3-cryptography openssl ca-certificates \
  chromium

.PHONY: all deps configure build test demo bench bench-quick startup-order images clean soak chaos-cluster fuzz fuzz-ci test-asan test-tsan deps-clang
all: build

deps:
	@missing=""; for p in $(PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	command -v kubectl >/dev/null || missing="$$missing kubernetes-client"; \
	command -v npm >/dev/null || missing="$$missing nodejs npm"; \
	if [ -z "$$missing" ]; then echo "deps: all packages present"; exit 0; fi; \
	if [ "$$(id -u)" = "0" ]; then \
	  echo "deps: installing$$missing"; \
	  export DEBIAN_FRONTEND=noninteractive; \
	  apt-get update -qq && apt-get install -y -qq --no-install-recommends $$missing; \
	else \
	  echo "deps: missing packages. Run as root:"; \
	  echo "  sudo apt-get update && sudo apt-get install -y$$missing"; \
	  exit 1; \
	fi
	@# Schema validators for the manifest checks (tests/scripts/test_schemas.sh), pinned by the lock file.
	@cd tests/schema && if [ ! -d node_modules/kubernetes-models ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then \
	  echo "deps: npm ci in tests/schema"; npm ci --no-audit --no-fund --loglevel=error; fi
	@# Third-party clients and servers of the interop tests (MCP, A2A, openai, Playwright, OTLP), pinned.
	@cd tests/interop && if [ ! -d node_modules/@modelcontextprotocol ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then \
	  echo "deps: npm ci in tests/interop"; npm ci --no-audit --no-fund --loglevel=error; fi

configure: deps
	cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS) $(if $(CI),-DRT_WERROR=ON)

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 300

# A local fleet (lead + five knights) on the offline provider, or a real one when
# ANTHROPIC_API_KEY or LLM_BASE_URL is set; asks the lead for a briefing, then stops.
# Builds only the three binaries the demo runs, not the tests: minutes, not a quarter of an hour.
demo: configure
	cmake --build $(BUILD_DIR) -j $(JOBS) --target nats-bridge knight-gateway roundtable
	rm -rf $(BUILD_DIR)/demo-run
	$(BUILD_DIR)/bin/roundtable up --knights-dir knights --dir $(BUILD_DIR)/demo-run --ask "Morning briefing please"

# Every figure of issue 15 beside its floor, ratio and goal (docs/performance.md), in minutes;
# BENCH_ARGS e.g. --json perf.json, --other-bridge-cmd ... Builds only what it runs.
bench: configure
	cmake --build $(BUILD_DIR) -j $(JOBS) --target benchmarks
	$(BUILD_DIR)/bin/roundtable_bench $(BENCH_ARGS)

# The same driver on reduced counts: checks that it runs end to end and prints every row.
# Lists again the functions nats-bridge runs until it is ready, which the link lays out together
# (cmake/nats-bridge-startup.order; docs/performance.md, change 17). Run it after changing start-up code.
startup-order:
	@$(MAKE) --no-print-directory deps PACKAGES="$(PACKAGES) valgrind"
	@$(MAKE) --no-print-directory configure
	cmake --build $(BUILD_DIR) -j $(JOBS) --target nats-bridge
	bench/startup_order.sh $(BUILD_DIR)

bench-quick: configure
	cmake --build $(BUILD_DIR) -j $(JOBS) --target benchmarks
	$(BUILD_DIR)/bin/roundtable_bench --quick --self-check $(BENCH_ARGS)

# Reliability runs (docs/reliability.md): soak and cluster chaos on the release build, libFuzzer
# targets and the tests under sanitizers in build directories of their own.
SOAK_TASKS ?= 10000
SOAK_RATE ?= 50
SOAK_CHAOS_ACTIONS ?= 40
SOAK_TIMEOUT ?= 1200s
soak: build
	SOAK_TASKS=$(SOAK_TASKS) SOAK_RATE=$(SOAK_RATE) SOAK_CHAOS_ACTIONS=$(SOAK_CHAOS_ACTIONS) SOAK_CHAOS_GAP=$${SOAK_CHAOS_GAP:-4s} \
	  SOAK_TIMEOUT=$(SOAK_TIMEOUT) SOAK_REPORT=$${SOAK_REPORT:-$(BUILD_DIR)/soak-report.json} $(BUILD_DIR)/bin/soak_runner

chaos-cluster: build
	SOAK_REPORT=$${SOAK_REPORT:-$(BUILD_DIR)/chaos-cluster-report.json} $(BUILD_DIR)/bin/chaos_cluster

# The fuzz targets and test-asan share one clang build (ASan + UBSan + libFuzzer coverage):
# one sanitizer build instead of two on a small machine.
ASAN_DIR ?= build-asan
TSAN_DIR ?= build-tsan
FUZZ_DIR ?= $(ASAN_DIR)
FUZZ_SECONDS ?= 60
CLANG_PACKAGES := clang-14 libclang-rt-14-dev
ASAN_CMAKE_FLAGS = $(CMAKE_FLAGS) -DCMAKE_CXX_COMPILER=clang++-14 -DRT_SANITIZE=address -DRT_FUZZ=ON
deps-clang:
	@$(MAKE) --no-print-directory deps PACKAGES="$(PACKAGES) $(CLANG_PACKAGES)"

fuzz: deps-clang
	cmake -S . -B $(FUZZ_DIR) $(ASAN_CMAKE_FLAGS)
	cmake --build $(FUZZ_DIR) -j $(JOBS) --target fuzzers
	FUZZ_SECONDS=$(FUZZ_SECONDS) fuzz/run.sh $(FUZZ_DIR)

# CI: each target for 30 s (.ci/run, after make test).
fuzz-ci:
	$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=30

# Unit and integration tests (and the binaries they start) under sanitizers; script tests and
# the soak are left out. Every process writes its reports to <dir>/sanitizer-reports/.
SANITIZER_CTEST = ctest -LE 'script|soak' --output-on-failure -j $(JOBS) --timeout 1200
test-asan: deps-clang
	cmake -S . -B $(ASAN_DIR) $(ASAN_CMAKE_FLAGS)
	cmake --build $(ASAN_DIR) -j $(JOBS)
	rm -rf $(ASAN_DIR)/sanitizer-reports && mkdir -p $(ASAN_DIR)/sanitizer-reports
	cd $(ASAN_DIR) && ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:log_path=$(CURDIR)/$(ASAN_DIR)/sanitizer-reports/asan:suppressions=$(CURDIR)/tests/sanitizers/asan.supp \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/sanitizers/lsan.supp \
	  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:log_path=$(CURDIR)/$(ASAN_DIR)/sanitizer-reports/ubsan \
	  $(SANITIZER_CTEST); status=$$?; $(CURDIR)/tests/sanitizers/reports.sh sanitizer-reports && exit $$status

test-tsan: deps
	cmake -S . -B $(TSAN_DIR) $(CMAKE_FLAGS) -DRT_SANITIZE=thread
	cmake --build $(TSAN_DIR) -j $(JOBS)
	rm -rf $(TSAN_DIR)/sanitizer-reports && mkdir -p $(TSAN_DIR)/sanitizer-reports
	cd $(TSAN_DIR) && TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:report_thread_leaks=0:log_path=$(CURDIR)/$(TSAN_DIR)/sanitizer-reports/tsan:suppressions=$(CURDIR)/tests/sanitizers/tsan.supp \
	  $(SANITIZER_CTEST); status=$$?; $(CURDIR)/tests/sanitizers/reports.sh sanitizer-reports && exit $$status

images:
	@command -v docker >/dev/null || { echo "images: docker is not installed"; exit 1; }
	docker build -f docker/nats-bridge.Dockerfile -t roundtable/nats-bridge:dev .
	docker build -f docker/knight-gateway.Dockerfile -t roundtable/knight-gateway:dev .

clean:
	rm -rf $(BUILD_DIR)
