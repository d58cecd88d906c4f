# vleval — build, test, demo.  `make demo` and `make test` are the two entry points;
# both install missing Debian packages first (target `deps`).

PREFIX ?= /usr/local
CC ?= cc
PKGS = libcurl libcjson sqlite3 libpcre2-8 stb libxxhash
DEB_PKGS = build-essential pkg-config libcurl4-openssl-dev libcjson-dev \
	libsqlite3-dev libpcre2-dev libcmocka-dev libstb-dev libxxhash-dev gnuplot-nox sqlite3 python3
# valgrind: make valgrind and the leak checks of tests/integration/reliability.sh
DEB_PKGS += valgrind
PERF_PKGS = wrk hyperfine time
# only the tests need these (the HTML report is rendered in headless Chromium);
# tests/integration/slurm.sh starts a single-node Slurm cluster of its own;
# a test whose package cannot be installed skips and says so
TEST_PKGS = chromium slurmctld slurmd slurm-client munge
# libFuzzer: Debian's clang and its runtime libraries (libclang_rt.fuzzer)
FUZZ_PKGS = clang libclang-rt-14-dev

WARN = -Wall -Wextra -Wstrict-prototypes -Wvla -Wno-unused-parameter
ifneq ($(CI),)
WARN += -Werror
endif
OPT ?= -O2 -g
# Recursive (=) so pkg-config runs after `deps` has installed the packages.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CFLAGS_ALL = -std=c11 -D_GNU_SOURCE -pthread $(OPT) $(WARN) -MMD -MP -I. $(PKG_CFLAGS) $(SAN) $(CFLAGS)
LDLIBS_ALL = $(PKG_LIBS) -lz -lm -ldl -pthread $(SAN) $(LDFLAGS)

BUILD ?= build
VERSION := $(shell git describe --always --dirty 2>/dev/null || echo unknown)

CORE_OBJS = \
	core/alloc.o \
	core/buf.o \
	core/sample.o \
	core/util.o \
	core/kv.o \
	core/rng.o \
	core/strmap.o \
	core/base64.o \
	core/base64-x86.o \
	core/jsonr.o \
	core/image.o \
	core/pandas.o \
	core/secret.o

BENCH_OBJS = \
	bench/cli.o \
	bench/task.o \
	bench/families.o \
	bench/runlog.o \
	bench/runner.o \
	bench/scoring.o \
	bench/request.o \
	bench/submission.o \
	bench/progress.o \
	bench/pace.o \
	bench/summary.o \
	bench/cmd-run.o \
	bench/cmd-runs.o \
	bench/cmd-show.o \
	bench/cmd-tasks.o \
	bench/cmd-backends.o \
	bench/cmd-validate.o \
	bench/cmd-demo.o \
	bench/cmd-report.o \
	bench/cmd-synth.o \
	bench/cmd-score.o \
	bench/merge.o \
	bench/cmd-merge.o \
	bench/runpair.o \
	bench/cmd-compare.o \
	bench/cmd-check.o \
	bench/score-pope.o \
	bench/score-vqa.o \
	bench/score-caption.o \
	bench/score-grounding.o \
	bench/score-mme.o \
	bench/score-ocrbench.o \
	bench/score-mmmu.o \
	bench/score-ci.o \
	bench/score-io.o \
	bench/parallel.o

DATASET_OBJS = \
	datasets/dataset.o \
	datasets/jsonl.o \
	datasets/pope.o \
	datasets/json_items.o \
	datasets/idmap.o \
	datasets/loader_util.o \
	datasets/vizwiz.o \
	datasets/textvqa.o \
	datasets/gqa.o \
	datasets/coco_karpathy.o \
	datasets/coco_captions.o \
	datasets/chair.o \
	datasets/refcoco.o \
	datasets/vlmeval_tsv.o \
	datasets/vqa.o \
	datasets/synth.o

METRIC_OBJS = \
	metrics/metric.o \
	metrics/bootstrap.o \
	metrics/extract.o \
	metrics/exact_match.o \
	metrics/pope.o \
	metrics/iou.o \
	metrics/boxparse.o \
	metrics/mcq.o \
	metrics/chair.o \
	metrics/caption_set.o \
	metrics/bleu.o \
	metrics/rouge.o \
	metrics/cider.o \
	metrics/caption.o \
	metrics/ptb_tokenize.o \
	metrics/vqa.o \
	metrics/anls.o \
	metrics/pystr.o \
	metrics/mme.o \
	metrics/ocrbench.o \
	metrics/mmmu.o \
	metrics/hallusionbench.o \
	metrics/chartqa.o \
	metrics/mmbench.o

BACKEND_OBJS = \
	backends/backend.o \
	backends/ready.o \
	backends/baseline.o \
	backends/replay.o \
	backends/option.o \
	backends/replay_tsv.o \
	backends/worker.o \
	backends/worker_proc.o \
	backends/worker_proto.o \
	backends/openai_body.o \
	backends/openai_proto.o \
	backends/openai_retry.o \
	backends/openai_secret.o \
	backends/openai_http.o \
	backends/openai_preflight.o \
	backends/openai.o

# `pixels`, the classical engine for the synthetic suite: a worker program
# of its own (build/vleval-pixels), not part of vleval or libvl.a
PIXELS_OBJS = \
	backends/pixels/vision.o \
	backends/pixels/answer.o
PIXELS_BIN = $(BUILD)/vleval-pixels

REPORT_OBJS = \
	reports/report.o \
	reports/report_md.o \
	reports/report_csv.o \
	reports/report_json.o \
	reports/html.o \
	reports/chart.o \
	reports/price.o \
	reports/stats.o \
	reports/compare.o

LIB_OBJS = $(CORE_OBJS) $(BENCH_OBJS) $(DATASET_OBJS) $(METRIC_OBJS) $(BACKEND_OBJS) $(REPORT_OBJS) \
	gen/tasks.o
ALL_OBJS = $(addprefix $(BUILD)/,$(LIB_OBJS) bench/main.o)

# Unit tests mirror the sources: tests/unit/<folder>/test_<file>.c
UNIT_SRCS = $(wildcard tests/unit/*/test_*.c tests/unit/*/*/test_*.c)
UNIT_BINS = $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRCS))
TEST_TOOLS = $(patsubst tests/tools/%.c,$(BUILD)/tests/tools/%,$(wildcard tests/tools/*.c))
PERF_TOOLS = $(patsubst tests/perf/%.c,$(BUILD)/tests/perf/%,$(wildcard tests/perf/*.c))
PLUGIN_SO = $(if $(wildcard backends/plugin-template.c),$(BUILD)/libvl_plugin_template.so)
TEST_PLUGINS = $(patsubst tests/fixtures/plugins/%.c,$(BUILD)/tests/plugins/%.so,$(wildcard tests/fixtures/plugins/*.c))

.PHONY: all deps perf-deps test-deps fuzz-deps test unit integration asan tsan valgrind fuzz fuzz-smoke demo install clean perf
.DEFAULT_GOAL := all

all: vleval vleval-pixels $(PLUGIN_SO)

deps:
	@missing=""; for p in $(DEB_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "deps: installing$$missing"; \
	  sudo=""; [ "$$(id -u)" -ne 0 ] && sudo=sudo; \
	  $$sudo apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing; \
	fi

test-deps: deps
	@$(MAKE) --no-print-directory deps DEB_PKGS="$(TEST_PKGS)" || \
	  echo "test-deps: could not install $(TEST_PKGS); the tests that need them skip"

perf-deps: deps
	@$(MAKE) --no-print-directory deps DEB_PKGS="$(PERF_PKGS)"

vleval: $(BUILD)/vleval
	@cp $< $@

$(BUILD)/vleval: $(ALL_OBJS)
	$(CC) -o $@ $^ $(LDLIBS_ALL)

vleval-pixels: $(PIXELS_BIN)
	@cp $< $@

$(PIXELS_BIN): $(addprefix $(BUILD)/,$(PIXELS_OBJS) backends/pixels/main.o) $(BUILD)/libvl.a
	$(CC) -o $@ $^ $(LDLIBS_ALL)

$(BUILD)/libvl.a: $(addprefix $(BUILD)/,$(LIB_OBJS))
	@rm -f $@
	ar rcs $@ $^

# Built-in task files are embedded in the binary, so vleval runs from anywhere.
$(BUILD)/gen/tasks.c: $(wildcard bench/tasks/*.json) bench/embed.sh
	@mkdir -p $(dir $@)
	sh bench/embed.sh $(sort $(wildcard bench/tasks/*.json)) > $@

$(BUILD)/gen/tasks.o: $(BUILD)/gen/tasks.c
	$(CC) $(CFLAGS_ALL) -c -o $@ $<

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -DVL_VERSION='"$(VERSION)"' -c -o $@ $<

$(BUILD)/tests/unit/%: tests/unit/%.c $(BUILD)/libvl.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Itests/unit -o $@ $< $(BUILD)/libvl.a $(LDLIBS_ALL) -lcmocka

PIXELS_TESTS = $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(wildcard tests/unit/backends/pixels/test_*.c))
$(PIXELS_TESTS): $(BUILD)/tests/unit/backends/pixels/%: tests/unit/backends/pixels/%.c $(addprefix $(BUILD)/,$(PIXELS_OBJS)) $(BUILD)/libvl.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -Itests/unit -o $@ $< $(addprefix $(BUILD)/,$(PIXELS_OBJS)) $(BUILD)/libvl.a $(LDLIBS_ALL) -lcmocka

$(BUILD)/tests/tools/%: tests/tools/%.c $(BUILD)/libvl.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -o $@ $< $(BUILD)/libvl.a $(LDLIBS_ALL)

$(BUILD)/tests/perf/%: tests/perf/%.c $(BUILD)/libvl.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -o $@ $< $(BUILD)/libvl.a $(LDLIBS_ALL)

$(PLUGIN_SO): backends/plugin-template.c backends/backend.h
	$(CC) $(CFLAGS_ALL) -fPIC -shared -o $@ $<

$(BUILD)/tests/plugins/%.so: tests/fixtures/plugins/%.c backends/backend.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -fPIC -shared -o $@ $<

test: deps test-deps
	@$(MAKE) --no-print-directory $(BUILD)/vleval $(PIXELS_BIN) $(UNIT_BINS) $(TEST_TOOLS) $(PERF_TOOLS) $(PLUGIN_SO) $(TEST_PLUGINS)
	@BUILD=$(BUILD) sh tests/run-all.sh

asan: deps
	@$(MAKE) --no-print-directory test BUILD=build-asan OPT="-O1 -g -fno-omit-frame-pointer" \
	  SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined"

# Every integration script with vleval and the pixels worker under valgrind:
# no memory error, no leak (still-reachable blocks included, less
# tests/valgrind/vleval.supp).  VG_SCRIPTS="tests/integration/a.sh ..." runs
# some of them.
valgrind: deps test-deps
	@$(MAKE) --no-print-directory $(BUILD)/vleval $(PIXELS_BIN) $(TEST_TOOLS) $(PLUGIN_SO) $(TEST_PLUGINS)
	@BUILD=$(BUILD) sh tests/valgrind/run.sh

# libFuzzer targets, one per parser of outside input: tests/fuzz/fuzz_*.c
# built with clang into build-fuzz/tests/fuzz/ (the library with
# -fsanitize=fuzzer-no-link, each target linked with libFuzzer's main).
# `make fuzz-smoke` runs each for FUZZ_SECONDS on its seed corpus (CI);
# tests/fuzz/run.sh TARGET SECONDS runs one for longer.
FUZZ_SRCS = $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS = $(patsubst tests/fuzz/%.c,build-fuzz/tests/fuzz/%,$(FUZZ_SRCS))
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_SECONDS ?= 10

fuzz-deps: deps
	@$(MAKE) --no-print-directory deps DEB_PKGS="$(FUZZ_PKGS)"

fuzz: fuzz-deps
	@$(MAKE) --no-print-directory CC=clang BUILD=build-fuzz CI= OPT="-O1 -g -fno-omit-frame-pointer" \
	  SAN="$(FUZZ_SAN) -fsanitize=fuzzer-no-link" build-fuzz/libvl.a
	@$(MAKE) --no-print-directory CC=clang BUILD=build-fuzz CI= OPT="-O1 -g -fno-omit-frame-pointer" \
	  SAN="$(FUZZ_SAN)" $(FUZZ_BINS)

fuzz-smoke: fuzz
	@sh tests/fuzz/run.sh --smoke $(FUZZ_SECONDS)

build-fuzz/tests/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h build-fuzz/libvl.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -fsanitize=fuzzer -Itests/fuzz -o $@ $< build-fuzz/libvl.a $(LDLIBS_ALL) -fsanitize=fuzzer

# ThreadSanitizer: the openai backend runs libcurl on a thread of its own
tsan: deps
	@$(MAKE) --no-print-directory test BUILD=build-tsan OPT="-O1 -g" SAN="-fsanitize=thread"

demo: deps
	@$(MAKE) --no-print-directory vleval vleval-pixels
	./vleval demo --out demo-report

perf: perf-deps
	@$(MAKE) --no-print-directory vleval $(TEST_TOOLS) $(PERF_TOOLS)
	@BUILD=$(BUILD) sh tests/perf/run-all.sh

install: vleval vleval-pixels
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/vleval/tasks $(DESTDIR)$(PREFIX)/include/vleval
	install -m 755 vleval $(DESTDIR)$(PREFIX)/bin/vleval
	install -m 755 vleval-pixels $(DESTDIR)$(PREFIX)/bin/vleval-pixels
	install -m 644 bench/tasks/*.json $(DESTDIR)$(PREFIX)/share/vleval/tasks/
	install -m 644 backends/backend.h $(DESTDIR)$(PREFIX)/include/vleval/backend.h

clean:
	rm -rf build build-asan build-tsan build-fuzz vleval vleval-pixels demo-report

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
