#!/usr/bin/env bash
# tests/fuzz/capture.sh BUILD_DIR OUT_DIR - captures real stanzas for the
# xml and exec seeds: starts the suite's Prosody (tests/server.sh; with
# XT_SERVER=ejabberd, its ejabberd: each server words stanzas its own way,
# seeds come from both: prosody-KIND.xml, ejabberd-KIND.xml), plays
# a conversation between its accounts with the tools under -v (chat,
# groupchat, headline and error messages, receipts, carbons, MAM results,
# presence of every kind, roster pushes, iq results and errors, stream
# features, SM), and writes each kind of element received ("< " lines)
# once to OUT_DIR/KIND.xml. Not run by make: seeds are refreshed by hand.
set -u
cd "$(dirname "$0")/../.." || exit 1
bin=$(cd "${1:?usage: capture.sh BUILD_DIR OUT_DIR}" && pwd) || exit 1
out=${2:?usage: capture.sh BUILD_DIR OUT_DIR}
mkdir -p "$out" || exit 1
dir=$(mktemp -d "${TMPDIR:-/tmp}/xmpp-tools-capture.XXXXXX") || exit 1
export XT_TEST_PORT=${XT_TEST_PORT:-$(tests/server.sh port)}
listener=
cleanup() {
	[ -n "$listener" ] && kill "$listener" 2>/dev/null
	tests/server.sh stop "$dir"
	rm -rf "$dir"
}
trap cleanup EXIT
tests/server.sh start "$dir" >/dev/null || exit 1
eval "$(tests/server.sh env "$dir")"
PATH=$bin:$PATH
opts=(--server "$XT_C2S" --cafile "$XT_CAFILE" -v)
room=lab@rooms.example.test
log=$dir/logs
mkdir -p "$log"

# as USER LOG CMD...: runs the tool as USER@example.test, its -v to LOG.
as() {
	local user=$1 name=$2
	shift 2
	XMPP_JID=$user@example.test XMPP_PASSWORD=pw-$user "$@" "${opts[@]}" \
		>>"$log/$name.out" 2>>"$log/$name.err" </dev/null
}

# The listener: alice in a room, receiving everything else played below.
XMPP_JID=alice@example.test XMPP_PASSWORD=pw-alice xmpp-listen "${opts[@]}" \
	--json --muc "$room" --nick alice >"$log/listen.out" 2>"$log/listen.err" &
listener=$!
for _ in $(seq 1 100); do
	grep -q 'code="110"' "$log/listen.err" 2>/dev/null && break
	sleep 0.1
done

as bob bob xmpp-roster subscribe alice@example.test
as alice alice2 xmpp-roster add bob@example.test --name Bob --group Friends --resource two
as alice alice2 xmpp-roster approve bob@example.test --resource two
as alice alice2 xmpp-roster subscribe bob@example.test --resource two
as bob bob xmpp-roster approve alice@example.test
as bob bob xmpp-presence --show away --status 'out <for> lunch' --priority 5 --for 1
as bob bob xmpp-send alice@example.test -m 'hello & <welcome>' --receipt
as bob bob xmpp-send alice@example.test -t chat -m 'with a link' --url https://example.test/a.png
as bob bob xmpp-send alice@example.test -t headline --subject News -m 'a headline'
as bob bob xmpp-send alice@example.test -t normal --subject 'a subject' -m 'ünïcødé 💬'
as carol carol xmpp-send --muc "$room" --nick carol -m 'to the room'
as carol carol xmpp-send --muc "$room" --nick carol --subject 'room topic' -m ''
as alice alice2 xmpp-send bob@example.test -t chat -m 'from the other resource' --resource two
as alice alice2 xmpp-send nobody@example.test -t chat -m 'to nobody' --resource two
as alice alice2 xmpp-send nobody@nowhere.invalid -m 'to no server' --resource two
as alice alice2 xmpp-roster --resource two
as alice alice2 xmpp-roster remove carol@example.test --resource two
as alice mam xmpp-listen --json --since 1h -n 3 --timeout 3 --no-presence --resource mam
as bob bob xmpp-roster unsubscribe alice@example.test
sleep 1
kill "$listener"
wait "$listener" 2>/dev/null
listener=

# one file per kind: element, type and first child's namespace
cat "$log"/*.err | sed -n 's/^< //p' | /usr/bin/python3 -c '
import re, sys, hashlib
out = sys.argv[1]
seen = {}
for line in sys.stdin:
    line = line.rstrip("\n")
    m = re.match(r"<([\w:-]+)", line)
    if not m:
        continue
    name = m.group(1).replace(":", "-")
    t = re.search(r"\stype=.(\w+)", line[:line.find(">")])
    ns = re.findall(r"<[\w:-]+ [^>]*xmlns=.(?:urn:xmpp:|urn:ietf:params:xml:ns:|http://jabber.org/protocol/|jabber:)?([\w:./-]+)", line[1:])
    kind = "-".join([name] + ([t.group(1)] if t else []) + ns[:2])
    kind = re.sub(r"[^\w.-]+", "-", kind)[:60]
    if kind in seen:
        continue
    seen[kind] = 1
    open(out + "/" + kind + ".xml", "w").write(line + "\n")
print(len(seen), "kinds")
' "$out"
