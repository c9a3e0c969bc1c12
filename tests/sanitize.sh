#!/usr/bin/env bash
# tests/sanitize.sh BUILD_DIR [BATS_FILE...]
# Runs the suite (tests/run.sh) over tools built with ASan and UBSan, the
# sanitizers writing their reports into files rather than onto the tools'
# stderr: a report from a tool in the background, or one whose stderr a
# test threw away, would otherwise be lost. Any report fails the run, and
# each is printed.
set -u
cd "$(dirname "$0")/.." || exit 1
logs=$(mktemp -d "${TMPDIR:-/tmp}/xmpp-tools-sanitize.XXXXXX")
trap 'rm -rf "$logs"' EXIT
# disable_coredump=0: ASan would set the core limit to 0 itself, and the
# tools' own handling of it (xt_harden, and the user's limit given back to
# the commands they start) would go untested
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:disable_coredump=0:log_path=$logs/asan
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1:log_path=$logs/ubsan
rc=0
tests/run.sh "$@" || rc=$?
reports=("$logs"/*)
if [ -e "${reports[0]}" ]; then
	echo "sanitizer reports: ${#reports[@]}" >&2
	for r in "${reports[@]}"; do
		echo "==== ${r##*/}" >&2
		cat "$r" >&2
	done
	rc=1
fi
exit "$rc"
