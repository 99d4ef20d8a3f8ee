# The two commands of the README, plus the benchmarks. Everything else is meson.
BUILD     ?= _build
SANBUILD  ?= _build-san

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

# On a display `make run` starts the studio. Without one it starts the headless server on
# its embedded SQLite store (in $XDG_DATA_HOME/deca-server), which says where it listens;
# Ctrl-C stops it. SERVE_LISTEN chooses the address.
SERVE_LISTEN ?= 127.0.0.1:8080

run: build
	@if [ -n "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
	  echo "Starting Deca Studio"; \
	  $(STUDIO_ENV) $(BUILD)/app/deca-studio; \
	else \
	  echo "No display: starting the headless server (deca serve) instead of the studio"; \
	  $(BUILD)/app/deca serve --listen $(SERVE_LISTEN); \
	fi

check: check-main check-san

# The GUI tests need a display: the whole suite runs under one Xvfb server, with its own
# D-Bus session for the accessibility (AT-SPI) test. -noreset: by default Xvfb resets
# whenever its last client disconnects, and a client connecting during the reset (a test
# starting as the one before it ends, or the AT-SPI registry being activated) is refused
# with "cannot open display".
XVFB = xvfb-run -a -s "-screen 0 1600x1200x24 -nolisten tcp -noreset" dbus-run-session --

check-main: build
	$(XVFB) meson test -C $(BUILD) --print-errorlogs --no-suite bench

# intercept_tls_get_addr=0: LeakSanitizer (LLVM 14) records the dynamic TLS blocks of
# dlopen()ed libraries through __tls_get_addr and, with glibc 2.36, sometimes records a
# block with a garbage range; its exit-time scan then crashes ("Tracer caught signal 11",
# after "DTLS N at 0x668-..."). Seen rarely in the server tests, whose processes create and
# end worker threads. Without the interception those blocks are not scanned: nothing of
# ours lives only in a dlopen()ed library's TLS, and the whole suite reports no leak so.
check-san: build-san
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:intercept_tls_get_addr=0 \
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
