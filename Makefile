# tinydata: `make run` and `make test` are all a new user needs on Debian 12.
#
#   make run     install missing packages, build, start the server on http://127.0.0.1:8080
#   make test    install missing packages, build, run every test suite (also under ASan/UBSan,
#                and each fuzz harness for FUZZ_SECONDS)
#   make fuzz    run the libFuzzer harnesses of tests/fuzz/ for FUZZ_SECONDS each (default 20)
#   make bench   build and run the benchmarks in bench/ (see bench/README.md)

BUILD_DIR ?= build
ASAN_DIR ?= build-asan
FUZZ_DIR ?= build-fuzz
FUZZ_SECONDS ?= 20
BUILD_TYPE ?= Release
JOBS ?= $(shell nproc)
DATA_DIR ?= var
PORT ?= 8080
export TINYDATA_DATASETS ?= $(abspath ../shared/datasets)

# Debian 12 packages the build, the tests and the benchmarks need.
APT_PACKAGES := build-essential cmake pkg-config git \
  libboost-dev libboost-system-dev libsodium-dev nlohmann-json3-dev libcli11-dev \
  libspdlog-dev libfmt-dev libsqlite3-dev sqlite3 libssl-dev \
  libgtest-dev libgmock-dev libbenchmark-dev wrk \
  libpq-dev postgresql \
  chromium \
  clang libclang-rt-14-dev

SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
CMAKE_FLAGS := -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) -DTINYDATA_WERROR=ON
# The sanitizer and fuzz trees, both with clang, line tables (reports name file and line) and
# asserts on. The sanitizer tree is unoptimised: instrumented code at -O1 takes two to four times
# longer to compile, more than the tests gain at run time. The fuzz tree is -O1, as libFuzzer
# recommends, and builds only the libraries its harnesses link.
ASAN_FLAGS := -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-g1 -DTINYDATA_BENCH=OFF \
  -DTINYDATA_SANITIZE=ON -DTINYDATA_WERROR=ON
FUZZ_FLAGS := -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" \
  -DTINYDATA_BENCH=OFF -DTINYDATA_FUZZ=ON

.PHONY: all deps build run test unit bench clean web web-test e2e sanitize fuzz

all: build

# Installs only what is missing, so a machine that has everything makes no apt call.
deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	command -v node >/dev/null && command -v npm >/dev/null || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

build: deps web
	cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS) > /dev/null
	cmake --build $(BUILD_DIR) -j $(JOBS)

run: build
	@mkdir -p $(DATA_DIR)
	$(BUILD_DIR)/src/tinydata/cli/tinydata serve --listen 127.0.0.1:$(PORT) \
	  --database $(DATA_DIR)/tinydata.db --demo

test: build
	cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)
	@$(MAKE) --no-print-directory web-test e2e sanitize fuzz

# Truth inference (bench/run.sh), the server under wrk (bench/server/run.sh) and the ledger;
# bench/README.md holds the figures and how each was taken.
bench: build
	BUILD_DIR=$(BUILD_DIR) bench/run.sh
	BUILD_DIR=$(BUILD_DIR) bench/server/run.sh
	$(BUILD_DIR)/bench/ledger_bench --benchmark_filter=ledger/

clean:
	rm -rf $(BUILD_DIR) $(ASAN_DIR) $(FUZZ_DIR)

# --- Sanitizers and fuzzing --------------------------------------------------------------------
# The unit, CLI and integration suites (both backends) built with AddressSanitizer and
# UndefinedBehaviorSanitizer in $(ASAN_DIR); any report, in a test or in a server it started,
# fails the run (tests/support/sanitized_ctest.sh). The web front end is not needed there.
# Left out: the PostgreSQL cluster load test (3 servers, 20,000 answers). Instrumented, it takes
# 100-190 s of its 300 s and, beside other tests, its clients' 10 s request timeout fires, so a
# sign-up is resent and answered 409; run alone it passes with no report. The normal run keeps it.
sanitize: deps
	CC=clang CXX=clang++ cmake -S . -B $(ASAN_DIR) $(ASAN_FLAGS) > /dev/null
	cmake --build $(ASAN_DIR) -j $(JOBS)
	tests/support/sanitized_ctest.sh $(ASAN_DIR) --output-on-failure -j $(JOBS) \
	  -E '^postgresql\.ClusterTest\.'

# The libFuzzer harnesses of tests/fuzz/, built with clang in $(FUZZ_DIR) (only the libraries
# they link), each run for FUZZ_SECONDS from a scratch copy of its seed corpus.
fuzz: deps
	CC=clang CXX=clang++ cmake -S . -B $(FUZZ_DIR) $(FUZZ_FLAGS) > /dev/null
	cmake --build $(FUZZ_DIR) --target fuzzers -j $(JOBS)
	FUZZ_JOBS=$(JOBS) tests/fuzz/run.sh $(FUZZ_DIR) $(FUZZ_SECONDS)

# --- Web front end (web/) and its browser tests (tests/e2e/) ---------------------------------
# node/npm are taken from PATH when present (vite 7 needs node >= 20.19); `deps` installs
# Debian's only when missing. Dependencies are reinstalled only when package-lock.json changes.
web: deps
	@cd web && { [ node_modules/.package-lock.json -nt package-lock.json ] || npm ci --no-audit --no-fund; }
	cd web && npm run --silent build

# Unit tests of the front end's pure logic (Merkle proofs, answer outbox, forms, ledger formats).
web-test: web
	cd web && npx vitest run

# The browser journey in Debian's chromium (apt package `chromium`, see APT_PACKAGES) against the
# real server, which the test starts itself on a free port with a temporary database; screenshots
# land in $(BUILD_DIR)/e2e-screenshots. Builds only the server binary it needs; a missing
# prerequisite fails here instead of skipping.
e2e: deps web
	cmake -S . -B $(BUILD_DIR) $(CMAKE_FLAGS) > /dev/null
	cmake --build $(BUILD_DIR) --target tinydata -j $(JOBS)
	BUILD_DIR=$(BUILD_DIR) E2E_REQUIRE=1 node --test --test-concurrency=1 --test-reporter=spec tests/e2e/
