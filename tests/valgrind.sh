#!/usr/bin/env bash
# tests/valgrind.sh BUILD_DIR BATS_FILE...
# Runs bats files (through tests/run.sh) with every tool of BUILD_DIR under
# valgrind memcheck: a directory of wrappers named like the tools comes
# first as XT_BIN, each exec'ing valgrind on the real binary. A memory error
# or a definite or indirect leak makes the tool exit 99, which fails its
# test; each run's report goes to a log of its own, and any log not empty at
# the end fails the run (and is printed), which also catches tests that only
# look at the output. Known noise of the libraries: tests/valgrind.supp.
# XT_VALGRIND=1 in the tests' environment lets a test whose timing valgrind
# breaks allow more time: under valgrind a tool takes about 3 s to log in.
set -u
cd "$(dirname "$0")/.." || exit 1
bin=$(cd "${1:?usage: tests/valgrind.sh BUILD_DIR BATS_FILE...}" && pwd) || exit 1
shift
command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind not installed (run: make deps)" >&2; exit 69; }

dir=$(mktemp -d "${TMPDIR:-/tmp}/xmpp-tools-valgrind.XXXXXX")
trap 'rm -rf "$dir"' EXIT
trap 'exit 130' INT TERM
mkdir "$dir/bin" "$dir/log"
for tool in "$bin"/xmpp-*; do
	[ -f "$tool" ] && [ -x "$tool" ] || continue
	name=${tool##*/}
	cat >"$dir/bin/$name" <<WRAP
#!/bin/sh
exec valgrind -q --error-exitcode=99 --leak-check=full \\
	--show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect \\
	--track-fds=no --num-callers=30 --suppressions="$PWD/tests/valgrind.supp" \\
	--log-file="$dir/log/$name.%p.log" "$tool" "\$@"
WRAP
	chmod +x "$dir/bin/$name"
done

# XT_BUILD: the real build, for tests that link its libxt.a
XT_VALGRIND=1 XT_BUILD=$bin tests/run.sh "$dir/bin" "$@"
rc=$?
for log in "$dir"/log/*.log; do
	[ -s "$log" ] || continue
	echo "valgrind.sh: valgrind reported on ${log##*/}:" >&2
	cat "$log" >&2
	[ "$rc" -ne 0 ] || rc=1
done
exit "$rc"
