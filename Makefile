# Makefile for libradiomics, libcalci and the calci program (GNU make).
#
#   make            build both libraries (shared and static) and the programs
#   make check      build and run every test suite, then `make check-sanitizers`
#                   (CHECK_SANITIZERS=no runs the plain pass only)
#   make demo       make a synthetic cohort and run `calci study` on it
#   make bench      time the library on real CT against PyWavelets, ITK, pROC
#                   and scikit-learn (docs/benchmarks.md)
#   make install    install into $(DESTDIR)$(PREFIX)
#   make docs       regenerate docs/features.md from the feature tables
#   make compliance measure every feature against IBSI 1 and pyradiomics'
#                   baselines in REFDATA and write docs/compliance.md
#   make check-asan     build in build-asan with ASan and UBSan, run every test
#   make check-valgrind run every Check suite under valgrind (CK_FORK=no)
#   make check-sanitizers  the short sanitizer pass of `make check`: every
#                       Check suite and the quick test scripts under ASan and
#                       UBSan, the fast Check suites under valgrind
#   make fuzz           build the libFuzzer targets (clang) and run each for
#                       FUZZ_SECONDS seconds
#
# `make demo`, `make check` and `make bench` first install missing Debian
# packages when run as root (tools/deps.sh), or print the apt-get line to
# run otherwise. `make bench` then runs without what is missing, and each
# comparison that needs it prints a SKIP line.

VERSION_MAJOR := 0
VERSION_MINOR := 1
VERSION_PATCH := 0
VERSION       := $(VERSION_MAJOR).$(VERSION_MINOR).$(VERSION_PATCH)

PREFIX       ?= /usr/local
LIBDIR       ?= $(PREFIX)/lib
INCLUDEDIR   ?= $(PREFIX)/include
BINDIR       ?= $(PREFIX)/bin
PKGCONFIGDIR ?= $(LIBDIR)/pkgconfig

CC      ?= cc
AR      ?= ar
OPT     ?= -O2 -g
CFLAGS  ?= $(OPT)
WARN    := -Wall -Wextra
BASEFLAGS := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $(WARN) -Iinclude
SANITIZE ?=

B := build

# --no-undefined makes the shared libraries fail to link when a symbol is
# missing. Set LINK_NO_UNDEFINED= for a sanitizer build with clang, whose
# shared libraries leave the sanitizer runtime undefined (gcc links it).
LINK_NO_UNDEFINED ?= -Wl,--no-undefined

NIFTI_CFLAGS := -I/usr/include/nifti
NIFTI_LIBS   := -lnifti2 -lznz -lz
GSL_LIBS     := -lgsl
BLAS_LIBS    := -llapacke -lopenblas
CHECK_CFLAGS := $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS   := $(shell pkg-config --libs check 2>/dev/null || echo -lcheck -lsubunit -lrt -lpthread)

RAD_SRCS   := $(sort $(wildcard lib/radiomics/*.c))
CALCI_SRCS := $(sort $(wildcard lib/calci/*.c))
RAD_OBJS   := $(RAD_SRCS:%.c=$(B)/%.o)
CALCI_OBJS := $(CALCI_SRCS:%.c=$(B)/%.o)

RAD_SONAME   := libradiomics.so.$(VERSION_MAJOR)
CALCI_SONAME := libcalci.so.$(VERSION_MAJOR)
RAD_SO       := $(B)/lib/libradiomics.so.$(VERSION)
CALCI_SO     := $(B)/lib/libcalci.so.$(VERSION)
RAD_A        := $(B)/lib/libradiomics.a
CALCI_A      := $(B)/lib/libcalci.a

RAD_DEPLIBS   := $(NIFTI_LIBS) $(GSL_LIBS) -lpthread -lm
CALCI_DEPLIBS := $(GSL_LIBS) $(BLAS_LIBS) -lm

CALCI_PROG_SRCS := $(sort $(wildcard examples/calci/*.c))
EXAMPLE_SRCS    := $(sort $(wildcard examples/*.c))
EXAMPLES        := $(EXAMPLE_SRCS:examples/%.c=$(B)/bin/%)
CALCI_PROG      := $(B)/bin/calci

TEST_SRCS  := $(sort $(wildcard test/test_*.c))
TEST_BINS  := $(TEST_SRCS:test/%.c=$(B)/test/%)
TEST_COMMON := $(sort $(wildcard test/common/*.c))

REFDATA ?= $(abspath ../shared/data)

.PHONY: all libs check demo install uninstall clean deps bench
all: libs $(CALCI_PROG) $(EXAMPLES) $(B)/pkgconfig/radiomics.pc $(B)/pkgconfig/calci.pc \
     $(B)/tools/feature_doc

libs: $(RAD_SO) $(CALCI_SO) $(RAD_A) $(CALCI_A)

$(B)/lib/radiomics/%.o: lib/radiomics/%.c $(wildcard lib/radiomics/*.h) include/radiomics.h
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(CFLAGS) $(SANITIZE) -fPIC -fvisibility=hidden -DRAD_BUILDING_LIBRARY \
	    $(NIFTI_CFLAGS) -Ilib/radiomics -c $< -o $@

$(B)/lib/calci/%.o: lib/calci/%.c $(wildcard lib/calci/*.h) include/calci.h
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(CFLAGS) $(SANITIZE) -fPIC -fvisibility=hidden -DCALCI_BUILDING_LIBRARY \
	    -Ilib/calci -c $< -o $@

$(RAD_SO): $(RAD_OBJS) lib/radiomics.map
	@mkdir -p $(dir $@)
	$(CC) -shared $(SANITIZE) -Wl,-soname,$(RAD_SONAME) -Wl,--version-script=lib/radiomics.map \
	    $(LINK_NO_UNDEFINED) -o $@ $(RAD_OBJS) $(RAD_DEPLIBS)
	ln -sf libradiomics.so.$(VERSION) $(B)/lib/$(RAD_SONAME)
	ln -sf $(RAD_SONAME) $(B)/lib/libradiomics.so

$(CALCI_SO): $(CALCI_OBJS) lib/calci.map $(RAD_SO)
	@mkdir -p $(dir $@)
	$(CC) -shared $(SANITIZE) -Wl,-soname,$(CALCI_SONAME) -Wl,--version-script=lib/calci.map \
	    $(LINK_NO_UNDEFINED) -o $@ $(CALCI_OBJS) -L$(B)/lib -lradiomics $(CALCI_DEPLIBS)
	ln -sf libcalci.so.$(VERSION) $(B)/lib/$(CALCI_SONAME)
	ln -sf $(CALCI_SONAME) $(B)/lib/libcalci.so

$(RAD_A): $(RAD_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

$(CALCI_A): $(CALCI_OBJS)
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

# The calci program links the shared libraries, as a user's program would.
$(CALCI_PROG): $(CALCI_PROG_SRCS) $(wildcard examples/calci/*.h) $(RAD_SO) $(CALCI_SO)
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(CFLAGS) $(SANITIZE) -Iexamples/calci -o $@ $(CALCI_PROG_SRCS) \
	    -L$(B)/lib -lcalci -lradiomics -lm -Wl,-rpath,'$$ORIGIN/../lib'

$(B)/bin/%: examples/%.c $(RAD_SO) $(CALCI_SO)
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(CFLAGS) $(SANITIZE) -o $@ $< \
	    -L$(B)/lib -lcalci -lradiomics -lm -Wl,-rpath,'$$ORIGIN/../lib'

# Test suites link the static archives so that they can reach internal
# functions (declared in lib/*/internal.h) as well as the public API.
$(B)/test/%: test/%.c $(TEST_COMMON) $(wildcard test/common/*.h) $(RAD_A) $(CALCI_A)
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(CFLAGS) $(SANITIZE) $(CHECK_CFLAGS) $(NIFTI_CFLAGS) \
	    -Ilib/radiomics -Ilib/calci -Itest/common -o $@ $< $(TEST_COMMON) \
	    $(CALCI_A) $(RAD_A) $(RAD_DEPLIBS) $(CALCI_DEPLIBS) $(CHECK_LIBS) -lm

# The .pc files depend on PREFIX and friends, so they are rebuilt whenever
# those change: the stamp holds the values they were made with.
PC_VARS := $(PREFIX)|$(LIBDIR)|$(INCLUDEDIR)|$(VERSION)
$(B)/pkgconfig/vars.stamp: FORCE
	@mkdir -p $(dir $@)
	@if [ "$$(cat $@ 2>/dev/null)" != '$(PC_VARS)' ]; then echo '$(PC_VARS)' > $@; fi

$(B)/pkgconfig/%.pc: pkgconfig/%.pc.in Makefile $(B)/pkgconfig/vars.stamp
	@mkdir -p $(dir $@)
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' \
	    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' -e 's|@VERSION@|$(VERSION)|g' $< > $@

.PHONY: FORCE
FORCE:

deps:
	@sh tools/deps.sh build

CHECK_SANITIZERS ?= yes

check:
	@sh tools/deps.sh check
	@$(MAKE) --no-print-directory all tests
	@B="$(B)" REFDATA="$(REFDATA)" CALCI="$(CURDIR)/$(CALCI_PROG)" sh tools/run-tests.sh $(TEST_BINS) $(sort $(wildcard test/*.sh)) tools/check-abi.sh
	@if [ "$(CHECK_SANITIZERS)" != no ]; then $(MAKE) --no-print-directory check-sanitizers; fi

.PHONY: tests
tests: $(TEST_BINS)

demo: deps
	@$(MAKE) --no-print-directory all
	@sh tools/demo.sh "$(CURDIR)/$(B)"

# The benchmark links the static archive to time internal kernels too.
$(B)/bench/bench: bench/bench.c $(RAD_A)
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(CFLAGS) -Ilib/radiomics $(NIFTI_CFLAGS) -o $@ $< $(RAD_A) \
	    $(RAD_DEPLIBS) -lpthread

$(B)/bench/bench_stats: bench/bench_stats.c $(CALCI_A) $(RAD_A)
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(CFLAGS) -Ilib/calci -o $@ $< $(CALCI_A) $(RAD_A) $(RAD_DEPLIBS) \
	    $(CALCI_DEPLIBS) -lpthread

# ITK 5's C++ headers (Debian libinsighttoolkit5-dev), found when this
# Makefile is read; bench-run is a separate make so that it sees a package
# that `make bench` has just installed.
ITK_HEADER   := $(firstword $(wildcard /usr/include/ITK-5*/itkScalarImageToCooccurrenceMatrixFilter.h))
ITK_DIR      := $(patsubst %/,%,$(dir $(ITK_HEADER)))
ITK_VERSION  := $(patsubst ITK-%,%,$(notdir $(ITK_DIR)))
ITK_LIBS     := -lITKStatistics-$(ITK_VERSION) -lITKCommon-$(ITK_VERSION) \
                -litkvnl_algo-$(ITK_VERSION) -litkvnl-$(ITK_VERSION) -litksys-$(ITK_VERSION)
ITK_GLCM     := $(if $(ITK_HEADER),$(B)/bench/itk_glcm)

$(B)/bench/itk_glcm: bench/itk_glcm.cxx
	@mkdir -p $(dir $@)
	$(CXX) -std=c++17 $(OPT) $(WARN) -I$(ITK_DIR) -o $@ $< $(ITK_LIBS)

.PHONY: bench-run
bench:
	@sh tools/deps.sh bench || echo "bench: continuing without the missing packages"
	@$(MAKE) --no-print-directory bench-run

bench-run: all $(B)/bench/bench $(B)/bench/bench_stats $(ITK_GLCM)
	@if [ -z "$(ITK_GLCM)" ]; then echo "SKIP building bench/itk_glcm.cxx: ITK 5 headers" \
	    "(Debian libinsighttoolkit5-dev) not found in /usr/include/ITK-5.*"; fi
	@$(B)/bench/bench "$(REFDATA)" $(ITK_GLCM)
	@$(B)/bench/bench_stats

# The feature reference is generated from the tables in the static archive.
$(B)/tools/feature_doc: tools/feature_doc.c $(RAD_A)
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(CFLAGS) $(SANITIZE) -Ilib/radiomics -o $@ $< $(RAD_A) $(RAD_DEPLIBS)

.PHONY: docs
docs: $(B)/tools/feature_doc
	$(B)/tools/feature_doc > docs/features.md.tmp && mv docs/features.md.tmp docs/features.md

# The compliance table measures every feature against the IBSI 1 reference
# values and pyradiomics' baselines in REFDATA; it reads the IBSI parameter
# files from examples/params, so it runs from the top folder.
$(B)/tools/compliance: tools/compliance.c test/common/baseline.c test/common/baseline.h $(RAD_A)
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(CFLAGS) $(SANITIZE) -Ilib/radiomics -Itest/common -o $@ \
	    tools/compliance.c test/common/baseline.c $(RAD_A) $(RAD_DEPLIBS)

.PHONY: compliance
compliance: $(B)/tools/compliance
	REFDATA="$(REFDATA)" $(B)/tools/compliance > docs/compliance.md.tmp \
	    || { rm -f docs/compliance.md.tmp; exit 1; }
	mv docs/compliance.md.tmp docs/compliance.md

install: all
	install -d $(DESTDIR)$(LIBDIR) $(DESTDIR)$(INCLUDEDIR) $(DESTDIR)$(PKGCONFIGDIR) $(DESTDIR)$(BINDIR)
	install -m 644 include/radiomics.h include/radiomics_export.h include/calci.h include/calci_export.h \
	    $(DESTDIR)$(INCLUDEDIR)
	install -m 755 $(RAD_SO) $(CALCI_SO) $(DESTDIR)$(LIBDIR)
	install -m 644 $(RAD_A) $(CALCI_A) $(DESTDIR)$(LIBDIR)
	ln -sf libradiomics.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(RAD_SONAME)
	ln -sf $(RAD_SONAME) $(DESTDIR)$(LIBDIR)/libradiomics.so
	ln -sf libcalci.so.$(VERSION) $(DESTDIR)$(LIBDIR)/$(CALCI_SONAME)
	ln -sf $(CALCI_SONAME) $(DESTDIR)$(LIBDIR)/libcalci.so
	install -m 644 $(B)/pkgconfig/radiomics.pc $(B)/pkgconfig/calci.pc $(DESTDIR)$(PKGCONFIGDIR)
	$(CC) $(BASEFLAGS) $(CFLAGS) -Iexamples/calci -o $(B)/calci-installed $(CALCI_PROG_SRCS) \
	    -L$(B)/lib -lcalci -lradiomics -lm -Wl,-rpath,$(LIBDIR)
	install -m 755 $(B)/calci-installed $(DESTDIR)$(BINDIR)/calci

uninstall:
	rm -f $(DESTDIR)$(INCLUDEDIR)/radiomics.h $(DESTDIR)$(INCLUDEDIR)/radiomics_export.h
	rm -f $(DESTDIR)$(INCLUDEDIR)/calci.h $(DESTDIR)$(INCLUDEDIR)/calci_export.h
	rm -f $(DESTDIR)$(LIBDIR)/libradiomics.so* $(DESTDIR)$(LIBDIR)/libradiomics.a
	rm -f $(DESTDIR)$(LIBDIR)/libcalci.so* $(DESTDIR)$(LIBDIR)/libcalci.a
	rm -f $(DESTDIR)$(PKGCONFIGDIR)/radiomics.pc $(DESTDIR)$(PKGCONFIGDIR)/calci.pc
	rm -f $(DESTDIR)$(BINDIR)/calci

clean:
	rm -rf $(B)

# ------------------------------------------------------------------
# Sanitizers, valgrind and fuzzing. Each uses its own build folder, so the
# default build is left alone. `make check` runs check-sanitizers only.

ASAN_B        := build-asan
ASAN_SANITIZE := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
VALGRIND_B    := build-valgrind
VALGRIND      := valgrind -q --leak-check=full --error-exitcode=99

.PHONY: check-asan check-valgrind
# Test scripts (test/*.sh) run too, with the sanitized calci program.
check-asan: deps
	@$(MAKE) --no-print-directory B=$(ASAN_B) SANITIZE="$(ASAN_SANITIZE)" OPT="-O1 -g" all tests
	@ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 CK_TIMEOUT_MULTIPLIER=5 \
	    REFDATA="$(REFDATA)" CALCI="$(CURDIR)/$(ASAN_B)/bin/calci" \
	    sh tools/run-tests.sh $(TEST_SRCS:test/%.c=$(ASAN_B)/test/%) $(sort $(wildcard test/*.sh))

# CK_TIMEOUT_MULTIPLIER stretches Check's per-test timeouts for the slower
# sanitized and valgrind runs. CK_FORK=no runs a suite in one process when
# its main leaves the fork mode to Check. Suites that force CK_FORK still
# work: valgrind follows the forked children, and a child with an error or
# leak exits with 99, which Check counts as a test error.
check-valgrind: deps
	@command -v valgrind >/dev/null || { echo "check-valgrind: valgrind is not installed (apt-get install valgrind)" >&2; exit 1; }
	@$(MAKE) --no-print-directory B=$(VALGRIND_B) OPT="-O1 -g" tests
	@CK_FORK=no CK_TIMEOUT_MULTIPLIER=30 REFDATA="$(REFDATA)" TEST_WRAPPER="$(VALGRIND)" \
	    sh tools/run-tests.sh $(TEST_SRCS:test/%.c=$(VALGRIND_B)/test/%)

# check-sanitizers, the second pass of `make check`, stays short with
# RADIOMICS_TEST_QUICK=1: test_box checks 12 of the 111 real CT boxes, and
# the slow scripts (end-to-end study, bindings, tutorial, resume, MPI,
# determinism, report) print a SKIP line because the plain pass runs them.
# Under valgrind it runs only the Check suites that take under about 5 s
# natively; VALGRIND_SLOW lists the others, and test_model, which takes 1 s
# natively but about 60 s under valgrind. check-valgrind runs them all.
# abi_check.sh is left out because it checks the plain build. Measured on
# the shared 2-core development machine: about 3.2 minutes of tests (1.6
# under ASan, 1.6 under valgrind), and 4 to 5 minutes in all when a changed
# header rebuilds both trees.
VALGRIND_SLOW     := test_box test_logreg test_model test_pyradiomics_baselines test_roc_extra \
                     test_wavelet test_ibsi_configs
VALGRIND_FAST     := $(filter-out $(VALGRIND_SLOW),$(TEST_SRCS:test/%.c=%))
SANITIZER_SCRIPTS := $(filter-out test/abi_check.sh,$(sort $(wildcard test/*.sh)))

.PHONY: check-sanitizers
check-sanitizers:
	@$(MAKE) --no-print-directory B=$(ASAN_B) SANITIZE="$(ASAN_SANITIZE)" OPT="-O1 -g" all tests
	@set -- $(TEST_SRCS:test/%.c=$(ASAN_B)/test/%) $(SANITIZER_SCRIPTS); \
	if command -v valgrind >/dev/null; then \
	    $(MAKE) --no-print-directory B=$(VALGRIND_B) OPT="-O1 -g" \
	        $(VALGRIND_FAST:%=$(VALGRIND_B)/test/%) || exit 1; \
	    set -- "$$@" "--wrapper=env CK_FORK=no $(VALGRIND)" $(VALGRIND_FAST:%=$(VALGRIND_B)/test/%); \
	else \
	    echo "SKIP valgrind: valgrind is not installed (apt-get install valgrind)"; \
	fi; \
	RADIOMICS_TEST_QUICK=1 ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	    CK_TIMEOUT_MULTIPLIER=30 REFDATA="$(REFDATA)" B=$(ASAN_B) CALCI="$(CURDIR)/$(ASAN_B)/bin/calci" \
	    sh tools/run-tests.sh "$$@"

FUZZ_B        := build-fuzz
FUZZ_CC       := clang
FUZZ_SECONDS  ?= 60
FUZZ_SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
FUZZ_TARGETS  := $(patsubst fuzz/fuzz_%.c,%,$(sort $(wildcard fuzz/fuzz_*.c)))

.PHONY: fuzz fuzz-build fuzz-targets fuzz-corpus
# Builds the static libraries with coverage instrumentation for libFuzzer,
# then the targets build-fuzz/fuzz/fuzz_<name>.
fuzz-build:
	@$(MAKE) --no-print-directory B=$(FUZZ_B) CC=$(FUZZ_CC) OPT="-O1 -g" \
	    SANITIZE="$(FUZZ_SANITIZE) -fsanitize=fuzzer-no-link" fuzz-targets

fuzz-targets: $(FUZZ_TARGETS:%=$(B)/fuzz/fuzz_%)

$(B)/fuzz/fuzz_%: fuzz/fuzz_%.c fuzz/fuzz_file.h $(RAD_A) $(CALCI_A)
	@mkdir -p $(dir $@)
	$(CC) $(BASEFLAGS) $(CFLAGS) $(FUZZ_SANITIZE) -fsanitize=fuzzer -Ifuzz -o $@ $< \
	    $(CALCI_A) $(RAD_A) $(RAD_DEPLIBS) $(CALCI_DEPLIBS)

# Runs every target for FUZZ_SECONDS on a working corpus in build-fuzz/corpus
# seeded from fuzz/corpus; crashes go to build-fuzz/artifacts.
fuzz: fuzz-build
	@mkdir -p $(FUZZ_B)/artifacts
	@for t in $(FUZZ_TARGETS); do \
	    mkdir -p $(FUZZ_B)/corpus/$$t; \
	    echo "fuzz: $$t for $(FUZZ_SECONDS) s"; \
	    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	    ./$(FUZZ_B)/fuzz/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -timeout=20 -rss_limit_mb=2048 \
	        -print_final_stats=1 -artifact_prefix=$(FUZZ_B)/artifacts/$$t- \
	        $(FUZZ_B)/corpus/$$t fuzz/corpus/$$t < /dev/null > $(FUZZ_B)/fuzz_$$t.log 2>&1 \
	        || { tail -n 60 $(FUZZ_B)/fuzz_$$t.log; echo "fuzz: $$t failed; see $(FUZZ_B)/fuzz_$$t.log"; exit 1; }; \
	    grep -E '^stat::(number_of_executed_units|new_units_added)' $(FUZZ_B)/fuzz_$$t.log; \
	done

# Regenerates the seed files in fuzz/corpus from fuzz/make_corpus.c.
fuzz-corpus: $(RAD_A)
	@mkdir -p $(B)/fuzz
	$(CC) $(BASEFLAGS) $(CFLAGS) -o $(B)/fuzz/make_corpus fuzz/make_corpus.c $(RAD_A) $(RAD_DEPLIBS)
	./$(B)/fuzz/make_corpus fuzz/corpus

# ------------------------------------------------------------------
# ABI baseline (abigail-tools). `make abi-dump` writes the ABI of the built
# libraries, restricted to the types of include/*.h, to abi/ as the baseline
# of version $(VERSION); `make abi-check` compares freshly built libraries
# with that baseline (test/abi_check.sh, also run by `make check`).

ABIDW_FLAGS := --headers-dir include --drop-private-types --no-corpus-path --no-comp-dir-path \
               --short-locs

.PHONY: abi-dump abi-check check-versions
abi-dump: libs
	@command -v abidw >/dev/null || { echo "abi-dump: abidw is not installed (apt-get install abigail-tools)" >&2; exit 1; }
	@mkdir -p abi
	abidw $(ABIDW_FLAGS) --out-file abi/libradiomics-$(VERSION).abi $(RAD_SO)
	abidw $(ABIDW_FLAGS) --out-file abi/libcalci-$(VERSION).abi $(CALCI_SO)

abi-check: libs
	@B="$(B)" sh test/abi_check.sh

# The shared libraries are linked only when the versions in the Makefile,
# include/*.h, lib/*.map and CHANGELOG agree. The stamp is order-only, so a
# passing check does not relink the libraries.
check-versions: $(B)/abi/versions.ok

$(B)/abi/versions.ok: Makefile include/radiomics.h include/calci.h lib/radiomics.map lib/calci.map \
                      CHANGELOG tools/check-abi.sh
	@mkdir -p $(dir $@)
	@sh tools/check-abi.sh --versions || { echo "the version numbers disagree; fix them before building (see docs/ABI.md)" >&2; exit 1; }
	@touch $@

$(RAD_SO) $(CALCI_SO): | $(B)/abi/versions.ok

# calci-mpi: the calci program with manifest extraction spread over MPI ranks
# (examples/calci_mpi), built with Open MPI's mpicc so that the normal build
# has no MPI dependency. Usage: mpirun -np N build/bin/calci-mpi study ...
MPICC          ?= mpicc
CALCI_MPI_PROG := $(B)/bin/calci-mpi
CALCI_MPI_SRCS := $(sort $(wildcard examples/calci_mpi/*.c))

.PHONY: mpi
mpi: $(CALCI_MPI_PROG)

$(CALCI_MPI_PROG): $(CALCI_PROG_SRCS) $(CALCI_MPI_SRCS) $(wildcard examples/calci/*.h) \
                   $(RAD_SO) $(CALCI_SO)
	@mkdir -p $(dir $@)
	$(MPICC) $(BASEFLAGS) $(CFLAGS) $(SANITIZE) -DCALCI_WITH_MPI -Iexamples/calci -o $@ \
	    $(CALCI_PROG_SRCS) $(CALCI_MPI_SRCS) \
	    -L$(B)/lib -lcalci -lradiomics -lm -Wl,-rpath,'$$ORIGIN/../lib'

# `make check` also builds calci-mpi for test/mpi.sh when mpicc is installed.
check: $(if $(shell command -v $(MPICC) 2>/dev/null),$(CALCI_MPI_PROG))

# ------------------------------------------------------------------
# ThreadSanitizer: builds the static libraries, test/test_threads.c and
# test/test_parallel.c with -fsanitize=thread in build-tsan and runs both
# suites (4 threads extracting yu2021 features from shared inputs, 4 fitting
# models on one dataset; rad_extract with the threads setting at 2 and 4).
# Measured on the 2-core development machine: 26 s for the first build,
# 10 s for the test_threads run (the yu2021 extraction of one 83 x 83 x 25
# CT box). OPENBLAS_NUM_THREADS=1: GSL's eigen solver in the GLCM kernel
# calls BLAS, which resolves to OpenBLAS in the test programs, and
# OpenBLAS's own worker threads synchronise in uninstrumented code, so
# ThreadSanitizer reports races inside dscal_k even with threads = 1.

TSAN_B        := build-tsan
TSAN_SANITIZE := -fsanitize=thread -fno-omit-frame-pointer

.PHONY: check-tsan
check-tsan: deps
	@$(MAKE) --no-print-directory B=$(TSAN_B) SANITIZE="$(TSAN_SANITIZE)" OPT="-O1 -g" \
	    $(TSAN_B)/test/test_threads $(TSAN_B)/test/test_parallel
	@TSAN_OPTIONS="halt_on_error=1 exitcode=66" CK_TIMEOUT_MULTIPLIER=5 REFDATA="$(REFDATA)" \
	    OPENBLAS_NUM_THREADS=1 \
	    sh tools/run-tests.sh $(TSAN_B)/test/test_threads $(TSAN_B)/test/test_parallel
