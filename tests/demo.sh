#!/usr/bin/env bash
# tests/demo.sh [BUILD_DIR] - `make demo`: a throwaway Prosody on loopback,
# one message sent with xmpp-send, printed as xmpp-listen received it.
set -eu
cd "$(dirname "$0")/.."
. tests/wait-for.sh
bin=$(cd "${1:-build}" && pwd)
dir=$(mktemp -d "${TMPDIR:-/tmp}/xmpp-tools-demo.XXXXXX")
export XT_TEST_PORT=${XT_TEST_PORT:-$(tests/server.sh port)}
trap 'tests/server.sh stop "$dir"; rm -rf "$dir"' EXIT
echo "== starting a throwaway Prosody on 127.0.0.1:$XT_TEST_PORT (in $dir)"
tests/server.sh start "$dir"
eval "$(tests/server.sh env "$dir")"
opts=(--server "$XT_C2S" --cafile "$XT_CAFILE")

echo "== bob listens:  xmpp-listen --offline --count 1"
XMPP_JID=bob@example.test XMPP_PASSWORD=pw-bob \
	"$bin/xmpp-listen" "${opts[@]}" -v --json --offline --count 1 --timeout 20 \
	>"$dir/received" 2>"$dir/listen.log" &
listener=$!
# online once its presence is out (-v shows the stream)
wait_for "$dir/listen.log" '^> <presence' || true
echo "== alice sends:  xmpp-send -m 'Hello from xmpp-tools' bob@example.test"
XMPP_JID=alice@example.test XMPP_PASSWORD=pw-alice \
	"$bin/xmpp-send" "${opts[@]}" -m "Hello from xmpp-tools" bob@example.test
echo "   xmpp-send exited $? (0: the server confirmed the message)"
wait "$listener"
echo "== xmpp-listen printed:"
cat "$dir/received"
if command -v jq >/dev/null; then
	echo "== the body, with jq -r .body:"
	jq -r .body "$dir/received"
fi
