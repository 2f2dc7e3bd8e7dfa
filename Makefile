# stuckscope — see README.md. `make` builds ./stuckscope; `make test` installs
# what is missing, builds, and runs every test; `make demo` runs the main job
# on a bundled real sample.

CC       ?= gcc
PREFIX   ?= /usr/local
SHARED   ?= $(abspath ../shared)
PKGS     := libpcap libunwind-ptrace libelf libdw jansson libmnl libarchive
WARN     := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
            -Wformat=2 -Wno-format-nonliteral -Wvla -Wpointer-arith
CFLAGS   ?= -O2 -g
CPPFLAGS += -D_GNU_SOURCE -I. -Ianalyzer
ALL_CFLAGS = -std=c11 $(WARN) $(CFLAGS) $(SAN) $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LIBS     := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm -lpthread
TEST_LIBS = $(shell pkg-config --libs cmocka 2>/dev/null)
BUILD    ?= build
VERSION  := $(shell cat VERSION 2>/dev/null || echo 0.1)

LIB_SRC  := $(filter-out analyzer/cli/main.c,$(wildcard analyzer/*/*.c rules/*.c probes/*.c))
LIB_OBJ  := $(LIB_SRC:%.c=$(BUILD)/%.o)
TEST_SRC := $(wildcard tests/test_*.c)
FUZZ_SRC := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_NAMES := $(FUZZ_SRC:tests/fuzz/%.c=%)
TEST_BIN := $(TEST_SRC:tests/%.c=$(BUILD)/tests/%)

.PHONY: all deps deps-build demo test check unit golden golden-update corpus install clean lint fuzz bench asan lab lab-all

all: stuckscope

# -MMD -MP: each object's header dependencies, written by the compiler
$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	@$(CC) $(CPPFLAGS) -DSTUCKSCOPE_VERSION='"$(VERSION)"' $(ALL_CFLAGS) -MMD -MP -c -o $@ $<

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

$(BUILD)/libstuckscope.a: $(LIB_OBJ)
	@rm -f $@
	@ar rcs $@ $^

# Every part is reached by a strong reference (the format table, the rule
# registry, the command table): a plain static archive links what is used.
WHOLE_LIB = $(BUILD)/libstuckscope.a

$(BUILD)/stuckscope: $(BUILD)/analyzer/cli/main.o $(BUILD)/libstuckscope.a
	@echo "  LD      $@"
	@$(CC) $(ALL_CFLAGS) -o $@ $(BUILD)/analyzer/cli/main.o $(WHOLE_LIB) $(LIBS)

stuckscope: $(BUILD)/stuckscope
	@cp $< $@

$(BUILD)/tests/%: tests/%.c $(BUILD)/libstuckscope.a tests/testutil.h
	@mkdir -p $(dir $@)
	@echo "  TEST    $@"
	@$(CC) $(CPPFLAGS) -Itests $(ALL_CFLAGS) -o $@ $< $(WHOLE_LIB) $(LIBS) $(TEST_LIBS)

# Install the Debian packages that build (deps-build) and test (deps) need,
# when missing: the demo needs only the first set.
deps:
	@tests/install-deps.sh test

deps-build:
	@tests/install-deps.sh build

demo: deps-build
	@$(MAKE) --no-print-directory stuckscope
	./stuckscope analyze samples/prefork-condvar-w4 || true

unit: $(TEST_BIN)

# The sanitizer build: the unit tests and the corpus walk run under
# AddressSanitizer + UndefinedBehaviorSanitizer, halting on the first error.
ASAN_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
asan:
	@$(MAKE) --no-print-directory BUILD=build-asan SAN="$(ASAN_SAN)" CFLAGS="-O1 -g" \
		build-asan/stuckscope $(TEST_SRC:tests/%.c=build-asan/tests/%) \
		$(FUZZ_NAMES:%=build-asan/fuzz/%)

# fuzz harnesses replayed by tests/fuzz/driver.c (gcc; CI) ...
$(BUILD)/fuzz/%: tests/fuzz/%.c tests/fuzz/driver.c $(BUILD)/libstuckscope.a
	@mkdir -p $(dir $@)
	@echo "  FUZZ    $@"
	@$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -o $@ $< tests/fuzz/driver.c $(WHOLE_LIB) $(LIBS)

# ... and run for real with libFuzzer (clang): make fuzz [FUZZ_TIME=600]
fuzz:
	@$(MAKE) --no-print-directory CC=clang BUILD=build-fuzz CFLAGS="-O1 -g" \
		SAN="-fsanitize=fuzzer-no-link,address,undefined" build-fuzz/libstuckscope.a
	@for h in $(FUZZ_NAMES); do \
		clang $(CPPFLAGS) -std=c11 -O1 -g -fsanitize=fuzzer,address,undefined \
			$$(pkg-config --cflags $(PKGS)) -o build-fuzz/$$h tests/fuzz/$$h.c \
			build-fuzz/libstuckscope.a $(LIBS) || exit 1; \
	done
	@SHARED=$(SHARED) tests/fuzz/run.sh

test: deps
	@$(MAKE) --no-print-directory stuckscope unit asan
	@SHARED=$(SHARED) tests/run-all.sh

check: test

golden-update: stuckscope
	@SHARED=$(SHARED) tests/golden.sh --update

# Speed and memory against the floors and the tools people use instead,
# side by side in one run (results: BENCHMARKS.md). Not part of make test.
bench: stuckscope
	@SHARED=$(SHARED) tests/bench-capture.sh
	@SHARED=$(SHARED) tests/bench-stacks.sh
	@SHARED=$(SHARED) tests/bench-watch.sh

# Re-record an incident of the lab (root; samples/lab/run --list names them):
# make lab SCENARIO=prefork-condvar-w4, or every one with make lab-all.
lab:
	@test -n "$(SCENARIO)" || { echo "usage: make lab SCENARIO=name (samples/lab/run --list)"; exit 1; }
	samples/lab/run $(SCENARIO)

lab-all:
	samples/lab/run --all

install: stuckscope
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 stuckscope $(DESTDIR)$(PREFIX)/bin/stuckscope
	install -m 644 doc/stuckscope.1 $(DESTDIR)$(PREFIX)/share/man/man1/stuckscope.1

# cppcheck, then clang-tidy with the checks in .clang-tidy (every warning an
# error), one process per file, as many at once as there are CPUs.
TIDY_FLAGS = $(CPPFLAGS) -DSTUCKSCOPE_VERSION='"$(VERSION)"' -std=c11 \
	$(shell pkg-config --cflags $(PKGS) 2>/dev/null)
lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability --std=c11 \
		--suppress=missingIncludeSystem -I. -Ianalyzer analyzer rules probes
	@echo "clang-tidy analyzer rules probes"
	@ls analyzer/*/*.c rules/*.c probes/*.c | xargs -P "$$(nproc)" -I{} \
		clang-tidy --quiet {} -- $(TIDY_FLAGS) 2>/dev/null

clean:
	rm -rf $(BUILD) build-asan build-fuzz stuckscope
