# A thin wrapper over the CMake presets (CMakePresets.json): `make demo`, `make check`.
#
#   make              build the dev preset (build/dev)
#   make deps         install the Debian packages the build and the tests need, if missing
#   make demo         deps + build + disassemble and run an APX program built by clang-19
#   make check        deps + build dev and asan + every test of both
#   make release      build the release preset (build/release)
#   make fuzz|bench|campaign   the fuzzer, the benchmarks (decoder, then executor), the test campaign
#   make install PREFIX=/usr/local
#   make clean

PREFIX ?= /usr/local
CMAKE ?= cmake
CTEST ?= ctest

# Everything the build, the tests, the oracles and the demo use.
DEPS := cmake ninja-build make gcc libc6-dev python3 pkg-config clang-19 lld-19 llvm-19 llvm-19-dev \
	libclang-rt-19-dev libzydis-dev libunicorn-dev check gdb qemu-user csmith \
	libcsmith-dev valgrind

# Targets defined by tests/CMakeLists.txt and bench/, run from the named preset.
FUZZ_PRESET ?= asan
FUZZ_TARGET ?= fuzz-decoder
BENCH_PRESET ?= release
BENCH_TARGET ?= bench
CAMPAIGN_PRESET ?= dev
CAMPAIGN_TARGET ?= campaign

.PHONY: all build deps demo check release fuzz bench campaign install clean
# deps must finish before anything builds.
.NOTPARALLEL:

all: build

deps:
	@if ! command -v dpkg-query >/dev/null 2>&1; then \
		echo "make deps: no dpkg here; install the equivalents of: $(DEPS)"; exit 0; \
	fi; \
	missing=""; \
	for p in $(DEPS); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' \
			|| missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then echo "make deps: all packages present"; exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then sudo=""; \
	elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; \
	else echo "make deps: missing packages:$$missing"; \
	     echo "make deps: run as root, or install them with: apt-get install$$missing"; exit 1; fi; \
	echo "make deps: installing$$missing"; \
	export DEBIAN_FRONTEND=noninteractive; \
	$$sudo apt-get update && $$sudo apt-get install -y $$missing

# Configuring again is cheap and picks up changes to the presets.
build:
	$(CMAKE) --preset dev >/dev/null
	$(CMAKE) --build --preset dev

release:
	$(CMAKE) --preset release >/dev/null
	$(CMAKE) --build --preset release

demo: deps build
	@bash tests/data/demo/run.sh build/dev/apxemu build/dev/demo

check: deps build
	$(CMAKE) --preset asan >/dev/null
	$(CMAKE) --build --preset asan
	@status=0; \
	echo "== ctest --preset dev"; $(CTEST) --preset dev || status=1; \
	echo "== ctest --preset asan"; $(CTEST) --preset asan || status=1; \
	exit $$status

# $(call run-target,PRESET,TARGET,WHAT)
define run-target
	@$(CMAKE) --preset $(1) >/dev/null
	@if $(CMAKE) --build --preset $(1) --target help 2>/dev/null | grep -q '^$(2):'; then \
		$(CMAKE) --build --preset $(1) --target $(2); \
	else \
		echo "make: the $(1) build has no target '$(2)' yet ($(3) is defined by the tests' CMake files)"; \
		exit 1; \
	fi
endef

fuzz: deps
	$(call run-target,$(FUZZ_PRESET),$(FUZZ_TARGET),the decoder fuzzer)

bench: deps
	$(call run-target,$(BENCH_PRESET),$(BENCH_TARGET),the benchmark)

campaign: deps
	$(call run-target,$(CAMPAIGN_PRESET),$(CAMPAIGN_TARGET),the test campaign)

install: release
	$(CMAKE) --install build/release --prefix "$(PREFIX)"

clean:
	rm -rf build
