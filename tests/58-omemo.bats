#!/usr/bin/env bats
# OMEMO (legacy, eu.siacs.conversations.axolotl): xmpp-keys makes and
# publishes the account's device; an independent client (tests/tools/
# omemo-peer.py: python-omemo and oldmemo over slixmpp) sees the same
# device and fingerprint, and decrypts what xmpp-send --encrypt omemo sent.

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
