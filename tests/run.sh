#!/usr/bin/env bash
# tests/run.sh [BUILD_DIR] [BATS_FILE...]
# XT_FILTER=REGEX tests/run.sh ...: only the tests whose names match
# SERVER=prosody|ejabberd tests/run.sh ...: which server (default prosody)
# Starts a throwaway server (tests/server.sh), runs the bats suite against
# the tools in BUILD_DIR, and always stops the server, also when a test fails
# or the run is interrupted.
set -u
cd "$(dirname "$0")/.." || exit 1
bin=$(cd "${1:-build}" && pwd) || exit 1
shift || true
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(tests/*.bats)

export XT_SERVER=${SERVER:-${XT_SERVER:-prosody}}
dir=$(mktemp -d "${TMPDIR:-/tmp}/xmpp-tools-test.XXXXXX")
export XT_TEST_PORT=${XT_TEST_PORT:-$(tests/server.sh port)}
cleanup() {
	tests/server.sh stop "$dir"
	if [ -n "${XT_KEEP:-}" ]; then echo "kept $dir" >&2; else rm -rf "$dir"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
tests/server.sh start "$dir" || exit 1
set -a
eval "$(tests/server.sh env "$dir")"
XT_BIN=$bin
set +a
# XT_FILTER: only the tests whose name matches (bats --filter)
bats --print-output-on-failure ${XT_FILTER:+--filter "$XT_FILTER"} "${files[@]}"
