# Round Table: two commands, `make demo` and `make test`. Both install missing Debian packages first.
SHELL := /bin/bash
BUILD_DIR ?= build
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo

# Build, test and demo dependencies: Debian 12 packages only.
PACKAGES := build-essential cmake pkg-config libnats-dev libcpp-httplib-dev nlohmann-json3-dev \
  libspdlog-dev libhiredis-dev libyaml-cpp-dev libssl-dev libgtest-dev libgmock-dev libbenchmark-dev \
  nats-server redis-server prometheus python3 python3-yaml python3-cryptography openssl ca-certificates

.PHONY: all deps configure build test demo bench images clean
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

configure: deps
	cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS) $(if $(CI),-DRT_WERROR=ON)

build: configure
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS) --timeout 300

# A local fleet (lead + five knights) on the offline provider, or a real one when
# ANTHROPIC_API_KEY or LLM_BASE_URL is set; asks the lead for a briefing, then stops.
demo: build
	rm -rf $(BUILD_DIR)/demo-run
	$(BUILD_DIR)/bin/roundtable up --knights-dir knights --dir $(BUILD_DIR)/demo-run --ask "Morning briefing please"

bench: build
	cmake --build $(BUILD_DIR) -j $(JOBS) --target benchmarks
	$(BUILD_DIR)/bin/bench_bridge 2000

images:
	@command -v docker >/dev/null || { echo "images: docker is not installed"; exit 1; }
	docker build -f docker/nats-bridge.Dockerfile -t roundtable/nats-bridge:dev .
	docker build -f docker/knight-gateway.Dockerfile -t roundtable/knight-gateway:dev .

clean:
	rm -rf $(BUILD_DIR)
