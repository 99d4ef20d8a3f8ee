# The two commands of the README, plus the benchmarks. Everything else is meson.
BUILD     ?= _build
SANBUILD  ?= _build-san
EXAMPLE   ?= data/examples/order-webhook.json
EXAMPLE_INPUT ?= @data/examples/order-webhook.input.json

.PHONY: all deps build build-san run check check-main check-san bench clean

all: build

deps:
	@build-aux/install-deps.sh

$(BUILD)/build.ninja:
	meson setup $(BUILD) --buildtype=debugoptimized

$(SANBUILD)/build.ninja:
	CC=clang meson setup $(SANBUILD) --buildtype=debug \
	  -Db_sanitize=address,undefined -Db_lundef=false

build: deps $(BUILD)/build.ninja
	ninja -C $(BUILD)

build-san: deps $(SANBUILD)/build.ninja
	ninja -C $(SANBUILD)

# Until the studio exists, `make run` runs the bundled example flow through the engine.
run: build
	$(BUILD)/app/deca run $(EXAMPLE) --input $(EXAMPLE_INPUT)

check: check-main check-san

check-main: build
	meson test -C $(BUILD) --print-errorlogs --no-suite bench

check-san: build-san
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	meson test -C $(SANBUILD) --print-errorlogs --no-suite bench

bench: build
	@for b in $(BUILD)/tests/bench/bench-*; do \
	  case "$$b" in *.p) continue;; esac; "$$b" || exit 1; done

clean:
	rm -rf $(BUILD) $(SANBUILD)
