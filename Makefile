# xmpp-tools: small XMPP tools for scripts. See README.md.
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
ZSHCOMPDIR ?= $(PREFIX)/share/zsh/site-functions
FISHCOMPDIR ?= $(PREFIX)/share/fish/vendor_completions.d
FISHFUNCDIR ?= $(PREFIX)/share/fish/vendor_functions.d
DESTDIR ?=
O ?= build

TOOLS = xmpp-send xmpp-listen xmpp-roster xmpp-presence xmpp-sendfile xmpp-s2s-probe xmpp-check xmpp-keys
# what the completions of every tool share, by shell
BASHCOMMON = xmpp-tools.bash-common
ZSHCOMMON = _xmpp-tools-accounts _xmpp-tools-common-args
FISHCOMMON = __xmpp_tools_accounts.fish __xmpp_tools_common.fish
LIBSRC = $(wildcard lib/*.c)
LIBOBJ = $(LIBSRC:%.c=$(O)/%.o)
BINS = $(TOOLS:%=$(O)/%)
PKGS = libstrophe jansson expat openssl libcurl libunbound libomemo-c

CC ?= cc
CFLAGS ?= -O2 -g
HARDEN = -fstack-protector-strong -D_FORTIFY_SOURCE=2 -fPIE
WARN = -Wall -Wextra -Werror -Wformat=2 -Wshadow -Wno-unused-parameter
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -pthread
XCFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(HARDEN) -Ilib $(PKG_CFLAGS) $(CFLAGS)
# --as-needed: only xmpp-sendfile loads libcurl at start-up
XLDFLAGS = -pie -Wl,-z,relro,-z,now -Wl,--as-needed $(LDFLAGS)

all: $(BINS)

# make V=1 shows the commands
Q = $(if $(V),,@)

$(O)/lib/%.o: lib/%.c lib/xt.h
	@mkdir -p $(@D)
	@$(if $(V),,echo "  CC      $@")
	$(Q)$(CC) $(XCFLAGS) -c -o $@ $<

# strophe.h has no version macro: the one file that may depend on the
# version (lib/strophe-glue.c) gets it from pkg-config, and only it.
STROPHE_VERSION = $(subst ., ,$(shell pkg-config --modversion libstrophe 2>/dev/null))
STROPHE_DEFS = -DXT_STROPHE_MAJOR=$(word 1,$(STROPHE_VERSION)) \
	-DXT_STROPHE_MINOR=$(word 2,$(STROPHE_VERSION))
$(O)/lib/strophe-glue.o: XCFLAGS += $(STROPHE_DEFS)
$(O)/fuzz/lib/strophe-glue.o: FUZZ_CFLAGS += $(STROPHE_DEFS)

$(O)/libxt.a: $(LIBOBJ)
	@$(if $(V),,echo "  AR      $@")
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(O)/%: cmd/%.c $(O)/libxt.a lib/xt.h
	@$(if $(V),,echo "  CCLD    $@")
	$(Q)$(CC) $(XCFLAGS) $(XLDFLAGS) -o $@ $< $(O)/libxt.a $(PKG_LIBS)

# pkg-config runs when a recipe needs it (=, not :=), after deps installed
# what was missing.

# Debian packages the build, the tests and the demo need.
deps:
	@tests/deps.sh install

# The whole suite against a throwaway Prosody (tests/check.sh, timed).
# Against ejabberd: make check SERVER=ejabberd; against both in parallel:
# make check SERVER=both.
SERVER ?= prosody
check: deps all
	@SERVER=$(SERVER) tests/check.sh $(O)

# The files that must pass against a throwaway ejabberd too (each test
# about one server's behaviour says so and is skipped on the other).
EJABBERD_TESTS ?= tests/10-send.bats tests/20-listen.bats tests/60-roster.bats \
	tests/70-presence.bats tests/80-sendfile.bats tests/85-check.bats
check-ejabberd: deps all
	@SERVER=ejabberd tests/check.sh $(O) $(EJABBERD_TESTS)

# The whole suite again with AddressSanitizer and UndefinedBehaviorSanitizer;
# every report, also from a tool in the background, fails it
# (tests/sanitize.sh).
check-sanitize: deps
	$(MAKE) O=build-san CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		LDFLAGS="-fsanitize=address,undefined" all
	@tests/sanitize.sh build-san

# A part of the suite with every tool under valgrind memcheck
# (tests/valgrind.sh): a memory error or a leak fails it. About 12 minutes on
# two cores (under valgrind a tool takes some 3 s to log in); other files:
# make check-valgrind VALGRIND_TESTS=tests/70-presence.bats
VALGRIND_TESTS ?= tests/10-send.bats tests/20-listen.bats tests/30-account.bats \
	tests/80-sendfile.bats tests/95-s2s-probe.bats
check-valgrind: deps all
	@tests/valgrind.sh $(O) $(VALGRIND_TESTS)

# Mutation testing (tests/mutate.sh): each one-line mutation of
# tests/mutations must make its tests fail; survivors are listed. One:
# make mutate MUTANTS=pin-not-compared
mutate: deps
	@tests/mutate.sh tests/mutations $(MUTANTS)

# libFuzzer targets, one per parser of user input (tests/fuzz/README): built
# with clang into $(O)/fuzz/ over a copy of the core compiled for fuzzing,
# then each run over its regressions and for FUZZ_TIME seconds. A longer
# hunt: make fuzz FUZZ_TIME=3600 FUZZ=xml
FUZZ = json roster-json xml config jid exec scram lines dns
FUZZ_TIME ?= 60
FUZZ_SAN = address,undefined
FUZZ_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) -Ilib -Itests/fuzz $(PKG_CFLAGS) \
	-g -O1 -fno-omit-frame-pointer -fno-sanitize-recover=all
FUZZ_LIBOBJ = $(LIBSRC:%.c=$(O)/fuzz/%.o)

$(O)/fuzz/lib/%.o: lib/%.c lib/xt.h
	@mkdir -p $(@D)
	@$(if $(V),,echo "  CLANG   $@")
	$(Q)clang $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link,$(FUZZ_SAN) -c -o $@ $<

$(O)/fuzz/libxt.a: $(FUZZ_LIBOBJ)
	@$(if $(V),,echo "  AR      $@")
	$(Q)rm -f $@ && $(AR) rcs $@ $^

$(O)/fuzz/fuzz-%: tests/fuzz/fuzz-%.c tests/fuzz/fuzz.h $(O)/fuzz/libxt.a lib/xt.h
	@$(if $(V),,echo "  CLANG   $@")
	$(Q)clang $(FUZZ_CFLAGS) -fsanitize=fuzzer,$(FUZZ_SAN) -o $@ $< $(O)/fuzz/libxt.a $(PKG_LIBS)

fuzz: deps
	$(MAKE) $(FUZZ:%=$(O)/fuzz/fuzz-%)
	@tests/fuzz/run.sh $(O)/fuzz $(FUZZ_TIME) $(FUZZ)

# CI's share: every target for 15 s; about two and a half minutes in all
# with the build, on two cores.
fuzz-ci:
	$(MAKE) fuzz FUZZ_TIME=15

# Grows the corpus kept in tests/fuzz/regressions/ (tests/fuzz/grow.sh):
# each target in turn for FUZZ_TIME seconds, then what reaches new code is
# merged in. Commit what it adds.
fuzz-grow: deps
	$(MAKE) $(FUZZ:%=$(O)/fuzz/fuzz-%)
	@tests/fuzz/grow.sh $(O)/fuzz $(FUZZ_TIME) $(FUZZ)

# The build and the whole suite on Debian 13 "trixie" (libstrophe 0.14,
# Prosody 13, OpenSSL 3.5), in a debootstrapped chroot kept at
# DEBIAN13_ROOT (default /var/tmp/xmpp-tools-trixie) for the next run;
# needs root (tests/debian13.sh). Only some files:
# make check-debian13 DEBIAN13_TESTS=tests/40-connection.bats
check-debian13:
	@tests/debian13.sh $(DEBIAN13_TESTS)

# The Debian package (debian/, tests/deb.sh): built from a copy of the
# tracked files into $(O)/deb/, lintian clean. deb-test (root) installs it,
# runs debian/tests/smoke against the installed tools and purges it.
deb: deps
	@tests/deb.sh build $(O)/deb

deb-test:
	@tests/deb.sh test $(O)/deb

demo: deps all
	@tests/demo.sh $(O)

# Not part of check: timings against go-sendxmpp, sendxmpp and curl, written
# to BENCHMARKS.md. make bench ARGS=--quick for the two-minute version.
BENCH = floor raw-sender slot
$(O)/bench/floor: tests/bench/floor.c
	@mkdir -p $(@D)
	$(Q)$(CC) $(XCFLAGS) $(XLDFLAGS) -o $@ $< $(PKG_LIBS)

$(O)/bench/%: tests/bench/%.c $(O)/libxt.a lib/xt.h
	@mkdir -p $(@D)
	$(Q)$(CC) $(XCFLAGS) $(XLDFLAGS) -o $@ $< $(O)/libxt.a $(PKG_LIBS)

bench: deps all $(BENCH:%=$(O)/bench/%)
	@tests/bench.sh $(ARGS) $(O)

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man7 \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) $(DESTDIR)$(FISHCOMPDIR) \
		$(DESTDIR)$(FISHFUNCDIR)
	install -m 755 $(BINS) $(DESTDIR)$(BINDIR)
	install -m 644 $(TOOLS:%=man/%.1) $(DESTDIR)$(MANDIR)/man1
	install -m 644 man/xmpp-tools.7 $(DESTDIR)$(MANDIR)/man7
	install -m 644 $(BASHCOMMON:%=completions/%) $(DESTDIR)$(BASHCOMPDIR)
	install -m 644 $(ZSHCOMMON:%=completions/%) $(DESTDIR)$(ZSHCOMPDIR)
	install -m 644 $(FISHCOMMON:%=completions/fish-functions/%) $(DESTDIR)$(FISHFUNCDIR)
	for t in $(TOOLS); do \
		install -m 644 completions/$$t.bash $(DESTDIR)$(BASHCOMPDIR)/$$t; \
		install -m 644 completions/_$$t $(DESTDIR)$(ZSHCOMPDIR)/_$$t; \
		install -m 644 completions/$$t.fish $(DESTDIR)$(FISHCOMPDIR)/$$t.fish; \
	done

uninstall:
	for t in $(TOOLS); do \
		rm -f $(DESTDIR)$(BINDIR)/$$t $(DESTDIR)$(MANDIR)/man1/$$t.1 \
		$(DESTDIR)$(BASHCOMPDIR)/$$t $(DESTDIR)$(ZSHCOMPDIR)/_$$t \
		$(DESTDIR)$(FISHCOMPDIR)/$$t.fish; \
	done
	rm -f $(DESTDIR)$(MANDIR)/man7/xmpp-tools.7 \
		$(BASHCOMMON:%=$(DESTDIR)$(BASHCOMPDIR)/%) \
		$(ZSHCOMMON:%=$(DESTDIR)$(ZSHCOMPDIR)/%) \
		$(FISHCOMMON:%=$(DESTDIR)$(FISHFUNCDIR)/%)

clean:
	rm -rf build build-san build-debian13

.PHONY: all deps deb deb-test check check-ejabberd check-sanitize check-valgrind check-debian13 mutate fuzz fuzz-ci fuzz-grow demo bench install uninstall clean
.SECONDARY: $(LIBOBJ) $(FUZZ_LIBOBJ)
