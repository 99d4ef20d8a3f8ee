# The two commands of the README, plus the benchmarks. Everything else is meson.
BUILD     ?= _build
SANBUILD  ?= _build-san
EXAMPLE   ?= data/examples/order-webhook.json
EXAMPLE_INPUT ?= @data/examples/order-webhook.input.json

.PHONY: all deps build build-san run check check-main check-san bench screenshots clean

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

# The studio's settings schema is compiled into the build; this points it there.
STUDIO_ENV = GSETTINGS_SCHEMA_DIR=$(BUILD)/data

# On a display `make run` starts the studio. Without one it runs the bundled example flow
# through the engine, until the headless server (`deca serve`) arrives.
run: build
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
	  echo "Starting Deca Studio"; \
	  $(STUDIO_ENV) $(BUILD)/app/deca-studio; \
	else \
	  echo "No display: running the example flow with the engine instead of the studio"; \
	  $(BUILD)/app/deca run $(EXAMPLE) --input $(EXAMPLE_INPUT); \
	fi

check: check-main check-san

# The GUI tests need a display: the whole suite runs under one Xvfb server, with its own
# D-Bus session for the accessibility (AT-SPI) test.
XVFB = xvfb-run -a -s "-screen 0 1600x1200x24 -nolisten tcp" dbus-run-session --

check-main: build
	$(XVFB) meson test -C $(BUILD) --print-errorlogs --no-suite bench

check-san: build-san
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	$(XVFB) meson test -C $(SANBUILD) --print-errorlogs --no-suite bench

# The studio's benchmarks draw on a display too.
bench: build
	@$(XVFB) sh -c 'for b in $(BUILD)/tests/bench/bench-*; do \
	  case "$$b" in *.p) continue;; esac; "$$b" || exit 1; done'

# PNGs of the main window for the AppStream metainfo and the README.
screenshots: build
	$(XVFB) $(BUILD)/tests/ui/take-screenshots data/screenshots

clean:
	rm -rf $(BUILD) $(SANBUILD)
