# SPDX-License-Identifier: MIT
# A thin front over CMake. On a fresh Debian/Ubuntu machine:
#   make        install what is missing, build, run examples/quickstart.lua
#   make test   install what is missing, build, run the whole test suite
# Variables: BUILD (build folder), CUDA (AUTO|ON|OFF), JOBS (parallel jobs).

BUILD ?= build
CUDA  ?= AUTO
JOBS  ?= $(shell nproc 2>/dev/null || echo 2)

# g++ is the host compiler nvcc needs when the CUDA backend is built
PACKAGES = cmake gcc g++ make pkg-config liblua5.4-dev lua5.4 lua-busted \
           libreadline-dev libopenblas-dev liblapacke-dev libdlpack-dev python3-numpy tmux \
           libpng-dev libjpeg-dev gnuplot-nox \
           python3-pil python3-skimage \
           libzip-dev zlib1g-dev python3-sklearn clang libclang-rt-14-dev \
           libopenmpi-dev openmpi-bin luarocks

.PHONY: all run test build configure deps clean

all: run

run: build
	$(BUILD)/lunar examples/quickstart.lua

test: build
	tests/run_all.sh $(BUILD)

# Install the Debian packages that are missing: with apt-get when root,
# otherwise say exactly what to run and stop.
deps:
	@command -v dpkg-query >/dev/null 2>&1 || { \
	  echo "lunar: dpkg-query not found; install by hand: $(PACKAGES)" >&2; exit 1; }; \
	missing=""; \
	for p in $(PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "lunar: installing$$missing"; \
	    apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $$missing; \
	  else \
	    echo "lunar: missing Debian packages:$$missing" >&2; \
	    echo "run:  sudo apt-get update && sudo apt-get install -y$$missing" >&2; \
	    exit 1; \
	  fi; \
	fi

configure: deps
	cmake -S . -B $(BUILD) -DLUNAR_CUDA=$(CUDA)

build: configure
	cmake --build $(BUILD) -j $(JOBS)

clean:
	rm -rf $(BUILD)
