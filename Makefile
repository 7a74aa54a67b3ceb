# Makefile for libradiomics, libcalci and the calci program (GNU make).
#
#   make            build both libraries (shared and static) and the programs
#   make check      build and run every test suite
#   make demo       make a synthetic cohort and run `calci study` on it
#   make install    install into $(DESTDIR)$(PREFIX)
#
# `make demo` and `make check` first install missing Debian packages when
# run as root (tools/deps.sh), or print the apt-get line to run otherwise.

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

RAD_DEPLIBS   := $(NIFTI_LIBS) $(GSL_LIBS) -lm
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
all: libs $(CALCI_PROG) $(EXAMPLES) $(B)/pkgconfig/radiomics.pc $(B)/pkgconfig/calci.pc

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
	    -Wl,--no-undefined -o $@ $(RAD_OBJS) $(RAD_DEPLIBS)
	ln -sf libradiomics.so.$(VERSION) $(B)/lib/$(RAD_SONAME)
	ln -sf $(RAD_SONAME) $(B)/lib/libradiomics.so

$(CALCI_SO): $(CALCI_OBJS) lib/calci.map $(RAD_SO)
	@mkdir -p $(dir $@)
	$(CC) -shared $(SANITIZE) -Wl,-soname,$(CALCI_SONAME) -Wl,--version-script=lib/calci.map \
	    -Wl,--no-undefined -o $@ $(CALCI_OBJS) -L$(B)/lib -lradiomics $(CALCI_DEPLIBS)
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

$(B)/pkgconfig/%.pc: pkgconfig/%.pc.in Makefile
	@mkdir -p $(dir $@)
	sed -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@LIBDIR@|$(LIBDIR)|g' \
	    -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' -e 's|@VERSION@|$(VERSION)|g' $< > $@

deps:
	@sh tools/deps.sh build

check:
	@sh tools/deps.sh check
	@$(MAKE) --no-print-directory all tests
	@REFDATA="$(REFDATA)" CALCI="$(CURDIR)/$(CALCI_PROG)" sh tools/run-tests.sh $(TEST_BINS) $(sort $(wildcard test/*.sh))

.PHONY: tests
tests: $(TEST_BINS)

demo: deps
	@$(MAKE) --no-print-directory all
	@sh tools/demo.sh "$(CURDIR)/$(B)"

bench: all
	@echo "no benchmark yet"

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
