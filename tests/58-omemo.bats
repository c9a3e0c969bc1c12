#!/usr/bin/env bats
# OMEMO (legacy, eu.siacs.conversations.axolotl): xmpp-keys makes and
# publishes the account's device; an independent client (tests/tools/
# omemo-peer.py: python-omemo and oldmemo over slixmpp) sees the same
# device and fingerprint, and decrypts what xmpp-send --encrypt omemo sent,
# and the aesgcm:// links xmpp-sendfile --encrypt omemo sent.

bats_require_minimum_version 1.5.0

setup() {
	load helpers
	me=$(new_account alice)
	you=$(new_account bob)
	PEER_PID=
	LISTEN_PID=
}

teardown() {
	local p
	for p in $PEER_PID $LISTEN_PID; do
		kill "$p" 2>/dev/null || true
		exited "$p" || kill -9 "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
}

# keys JID ARGS...: xmpp-keys as JID.
keys() {
	local jid=$1
	shift
	as "$jid" xmpp-keys "${server_opts[@]}" "$@"
}

# peer_bg JID OUT: the independent client as JID, its JSON lines to OUT;
# returns once it has published its device.
peer_bg() {
	/usr/bin/python3 "$BATS_TEST_DIRNAME/tools/omemo-peer.py" --jid "$1" \
		--password "pw-${1%@*}" --server "$XT_C2S" --cafile "$XT_CAFILE" \
		>"$2" 2>"$2.err" &
	PEER_PID=$!
	wait_for "$2" '"ready": true' || { cat "$2.err" >&2; return 1; }
}

@test "keys: init makes a device, list shows it with its fingerprint" {
	run -0 --separate-stderr keys "$me" init
	[[ $stderr =~ device\ ([0-9]+)\ published,\ fingerprint\ ([0-9a-f\ ]+)$ ]]
	id=${BASH_REMATCH[1]} fp=${BASH_REMATCH[2]}
	run -0 keys "$me" list --json
	[ "$(jq -r .device <<<"$output")" = "$id" ]
	[ "$(jq -r .fingerprint <<<"$output")" = "$fp" ]
	[ "$(jq -r .this_device <<<"$output")" = true ]
	[ "$(jq -r .jid <<<"$output")" = "$me" ]
	# the fingerprint: eight groups of eight hex digits
	[[ $fp =~ ^([0-9a-f]{8}\ ){7}[0-9a-f]{8}$ ]]
}

@test "keys: init again keeps the device and adds no second one" {
	run -0 keys "$me" init
	first=$(keys "$me" list --json | jq -r .device)
	run -0 keys "$me" init
	run -0 keys "$me" list --json
	[ "$(wc -l <<<"$output")" -eq 1 ]
	[ "$(jq -r .device <<<"$output")" = "$first" ]
}

@test "keys: the state is private: directory 0700, file 0600" {
	run -0 keys "$me" init
	dir=$HOME/.local/state/xmpp-tools/$me
	[ "$(stat -c %a "$dir")" = 700 ]
	[ "$(stat -c %a "$dir/omemo.json")" = 600 ]
	chmod 755 "$dir"
	run -78 keys "$me" init
	[[ $output == *"OMEMO state directory $dir is open to group or others"*"chmod 700"* ]]
}

@test "keys: a corrupted state is an error that says how to recover" {
	run -0 keys "$me" init
	echo '{"device_id": ' >"$HOME/.local/state/xmpp-tools/$me/omemo.json"
	run -78 keys "$me" init
	[[ $output == *"omemo.json is corrupted"*"run xmpp-keys init: that publishes a new device"* ]]
}

@test "keys: list of a contact shows the device and fingerprint its own client has" {
	peer_bg "$you" "$BATS_TEST_TMPDIR/peer"
	ready=$(grep '"ready"' "$BATS_TEST_TMPDIR/peer")
	run -0 keys "$me" list --json "$you"
	[ "$(jq -r .device <<<"$output")" = "$(jq -r .device <<<"$ready")" ]
	[ "$(jq -r .fingerprint <<<"$output")" = "$(jq -r .fingerprint <<<"$ready")" ]
	[ "$(jq -r .this_device <<<"$output")" = false ]
}

@test "keys: init keeps the other devices already listed" {
	peer_bg "$me" "$BATS_TEST_TMPDIR/peer"
	other=$(jq -r 'select(.ready) | .device' "$BATS_TEST_TMPDIR/peer")
	run -0 keys "$me" init
	run -0 keys "$me" list --json
	[ "$(jq -s length <<<"$output")" -eq 2 ]
	jq -se --argjson d "$other" 'any(.[]; .device == $d and (.this_device | not))' <<<"$output"
}

@test "send --encrypt omemo: the independent client decrypts the message" {
	peer_bg "$you" "$BATS_TEST_TMPDIR/peer"
	run -0 keys "$me" init
	mine=$(keys "$me" list --json)
	run -0 send --encrypt omemo "$you" -m "disk full on db1: /var at 100%"
	wait_for "$BATS_TEST_TMPDIR/peer" '"from"'
	got=$(grep '"from"' "$BATS_TEST_TMPDIR/peer")
	[ "$(jq -r .body <<<"$got")" = "disk full on db1: /var at 100%" ]
	[ "$(jq -r .from <<<"$got")" = "$me" ]
	# from the device, with the fingerprint, that xmpp-keys shows
	[ "$(jq -r .sender_device <<<"$got")" = "$(jq -r .device <<<"$mine")" ]
	[ "$(jq -r .sender_fingerprint <<<"$got")" = "$(jq -r .fingerprint <<<"$mine")" ]
}

@test "send --encrypt omemo: the stanza carries no plaintext, only the fallback" {
	peer_bg "$you" "$BATS_TEST_TMPDIR/peer"
	run -0 keys "$me" init
	run -0 send -v --encrypt omemo "$you" -m "secret-b7f3"
	[[ $output != *secret-b7f3* ]]
	[[ $output == *"<encrypted xmlns=\"eu.siacs.conversations.axolotl\">"*"<payload>"* ]]
	[[ $output == *"<store xmlns=\"urn:xmpp:hints\"/>"* ]]
	[[ $output == *"<encryption "*"xmlns=\"urn:xmpp:eme:0\""*"/></message>"* ]]
	[[ $output == *"<encryption "*"namespace=\"eu.siacs.conversations.axolotl\""*"/></message>"* ]]
	[[ $output == *"<body>This message is encrypted with OMEMO"* ]]
}

@test "send --encrypt omemo: a second message reuses the session" {
	peer_bg "$you" "$BATS_TEST_TMPDIR/peer"
	run -0 keys "$me" init
	run -0 send --encrypt omemo "$you" -m one
	run -0 send -v --encrypt omemo "$you" -m two
	# no bundle fetched the second time: the session was kept
	[[ $output != *"bundles:"* ]]
	wait_lines "$BATS_TEST_TMPDIR/peer" 3
	# (the peer decrypts concurrently: either may come first)
	[ "$(jq -r 'select(.from) | .body' "$BATS_TEST_TMPDIR/peer" | sort | tr '\n' ' ')" = "one two " ]
}

@test "send --encrypt omemo: a recipient without OMEMO gets nothing (exit 81)" {
	listen_bg "$you" "$BATS_TEST_TMPDIR/listen"
	run -0 keys "$me" init
	run -81 --separate-stderr send --encrypt omemo "$you" -m "not in plaintext"
	[[ $stderr == "xmpp-send: $you: no OMEMO device to encrypt for"*": nothing sent to $you" ]]
	# a plain message after it arrives alone: the first never went
	run -0 send "$you" -m after
	wait_for "$BATS_TEST_TMPDIR/listen" '"after"'
	run ! grep -q 'plaintext\|encrypted' "$BATS_TEST_TMPDIR/listen"
}

@test "send --encrypt omemo: without a device of our own it says to run init" {
	run -78 --separate-stderr send --encrypt omemo "$you" -m x
	[[ $stderr == *"no OMEMO device for this account yet"*"run: xmpp-keys init"* ]]
}

@test "send --encrypt: refused where something would go in plaintext" {
	run -64 send --encrypt omemo --subject s "$you" -m x
	run -64 send --encrypt omemo --lines "$you" </dev/null
	run -64 send --encrypt ox "$you" -m x
}

@test "sendfile --encrypt omemo: the client decrypts the message, its link the file" {
	local d=$BATS_TEST_TMPDIR got link
	head -c 100000 /dev/urandom >"$d/report.bin"
	peer_bg "$you" "$d/peer"
	run -0 keys "$me" init
	run -0 --separate-stderr sendfile -v --encrypt omemo "$d/report.bin" "$you"
	link=$output
	[[ $link == aesgcm://upload.example.test:*/report.bin#* ]]
	# the key is in the encrypted body only: no out-of-band data in plaintext
	[[ $stderr == *"<encrypted xmlns=\"eu.siacs.conversations.axolotl\">"* ]]
	[[ $stderr != *"${link#*#}"* ]]
	[[ $stderr != *jabber:x:oob* ]]
	wait_for "$d/peer" '"from"'
	got=$(grep '"from"' "$d/peer")
	[ "$(jq -r .body <<<"$got")" = "$link" ]
	"$BATS_TEST_DIRNAME/tools/aesgcm-get.py" "$(jq -r .body <<<"$got")" \
		"$XT_CAFILE" "$XT_UPLOAD_RESOLVE" >"$d/plain"
	cmp "$d/report.bin" "$d/plain"
}

@test "sendfile --encrypt omemo: a recipient without OMEMO: exit 81, nothing uploaded or sent" {
	local d=$BATS_TEST_TMPDIR
	printf 'not for the server\n' >"$d/f.txt"
	listen_bg "$you" "$d/listen"
	run -0 keys "$me" init
	run -81 --separate-stderr sendfile -v --encrypt omemo "$d/f.txt" "$you"
	[ -z "$output" ]
	[[ $stderr == *"xmpp-sendfile: $you: no OMEMO device to encrypt for"*": nothing sent to $you"* ]]
	# no slot asked for: nothing uploaded
	[[ $stderr != *"<request "*"filename="* ]]
	# a plain message after it arrives alone: no link went
	run -0 send "$you" -m after
	wait_for "$d/listen" '"after"'
	run ! grep -q 'aesgcm\|https:' "$d/listen"
}
