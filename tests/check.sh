#!/usr/bin/env bash
# tests/check.sh [BUILD_DIR] [BATS_FILE...] - make check and make
# check-ejabberd: the suite (or these files) against one server,
# SERVER=prosody (the default) or SERVER=ejabberd, timed; or with
# SERVER=both against both in parallel, each on its own ports (output
# lines prefixed with the server's name). Fails if any run fails.
set -u
cd "$(dirname "$0")/.." || exit 1
build=${1:-build}
shift || true
server=${SERVER:-prosody}

if [ "$server" != both ]; then
	start=$SECONDS
	SERVER=$server tests/run.sh "$build" "$@"
	rc=$?
	echo "check: $server: $((SECONDS - start)) s, exit $rc" >&2
	exit "$rc"
fi

# group NAME PORT FILE...: one server's run, its lines prefixed; its exit
# code and time go to a file (a pipeline's status would be sed's).
group() {
	local name=$1 port=$2 start=$SECONDS rc
	shift 2
	SERVER=$name XT_TEST_PORT=$port tests/run.sh "$build" "$@" 2>&1 | sed -u "s/^/[$name] /"
	rc=${PIPESTATUS[0]}
	echo "$rc $((SECONDS - start))" >"$results/$name"
}

results=$(mktemp -d "${TMPDIR:-/tmp}/xmpp-tools-check.XXXXXX")
trap 'rm -rf "$results"' EXIT
p1=$(tests/server.sh port)
p2=$(tests/server.sh port)
while [ "$((p2 / 10))" -eq "$((p1 / 10))" ]; do p2=$(tests/server.sh port); done
group prosody "$p1" "$@" &
group ejabberd "$p2" "$@" &
wait
rc=0
for s in prosody ejabberd; do
	read -r code secs <"$results/$s" || { code=1 secs=?; }
	echo "check: $s: $secs s, exit $code" >&2
	[ "$code" -eq 0 ] || rc=1
done
exit "$rc"
