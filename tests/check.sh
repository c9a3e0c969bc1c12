#!/usr/bin/env bash
# tests/check.sh [BUILD_DIR] - make check: the whole suite against one
# server (SERVER=prosody|ejabberd), or with no SERVER against both, in
# parallel, each on its own ports (output lines prefixed with the server's
# name). Prints each group's time; fails if either group fails.
set -u
cd "$(dirname "$0")/.." || exit 1
build=${1:-build}
if [ -n "${SERVER:-}" ]; then
	start=$SECONDS
	tests/run.sh "$build"
	rc=$?
	echo "check: $SERVER: $((SECONDS - start)) s, exit $rc" >&2
	exit "$rc"
fi

# group NAME PORT: one server's run, its lines prefixed; its exit code and
# time go to a file (a pipeline's status would be sed's).
group() {
	local start=$SECONDS rc
	SERVER=$1 XT_TEST_PORT=$2 tests/run.sh "$build" 2>&1 | sed -u "s/^/[$1] /"
	rc=${PIPESTATUS[0]}
	echo "$rc $((SECONDS - start))" >"$results/$1"
}

results=$(mktemp -d "${TMPDIR:-/tmp}/xmpp-tools-check.XXXXXX")
trap 'rm -rf "$results"' EXIT
p1=$(tests/server.sh port)
p2=$(tests/server.sh port)
while [ "$((p2 / 10))" -eq "$((p1 / 10))" ]; do p2=$(tests/server.sh port); done
group prosody "$p1" &
group ejabberd "$p2" &
wait
rc=0
for s in prosody ejabberd; do
	read -r code secs <"$results/$s" || { code=1 secs=?; }
	echo "check: $s: $secs s, exit $code" >&2
	[ "$code" -eq 0 ] || rc=1
done
exit "$rc"
