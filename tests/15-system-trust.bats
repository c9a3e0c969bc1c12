#!/usr/bin/env bats
# The tools as users run them: on a stock Debian machine whose system store
# trusts the server's CA, with no --cafile and SSL_CERT_FILE and
# SSL_CERT_DIR unset (a plain shell, cron, systemd). See system_trust_mode
# in helpers.bash: the CA is in a private copy of /etc/ssl/certs that a
# mount namespace lays over the real one for these tools only.

bats_require_minimum_version 1.5.0

setup() {
	load helpers
	system_trust_mode
	me=$(new_account alice)
	you=$(new_account bob)
	out=$BATS_TEST_TMPDIR/out
	d=$BATS_TEST_TMPDIR
	LISTEN_PID= HOLD_PID=
}

teardown() {
	stop_listener
	if [ -n "$HOLD_PID" ]; then
		kill "$HOLD_PID" 2>/dev/null || true
		wait "$HOLD_PID" 2>/dev/null || true
	fi
}

# expect ACTUAL EXPECTED: compares, showing both on failure.
expect() {
	if [ "$1" != "$2" ]; then
		printf 'expected:\n%s\ngot:\n%s\n' "$2" "$1" >&2
		return 1
	fi
}

# tool JID NAME ARGS...: the tool NAME as JID, through the system store.
tool() {
	local jid=$1 name=$2
	shift 2
	as "$jid" system_trust "$name" "${server_opts[@]}" "$@"
}

@test "the test CA is trusted inside the namespace only: the machine's store is untouched" {
	run -0 system_trust openssl verify "$XT_TEST_DIR/certs/example.test.crt"
	run ! env -u SSL_CERT_FILE -u SSL_CERT_DIR \
		openssl verify "$XT_TEST_DIR/certs/example.test.crt"
	# the same tool outside: the server is not trusted
	run -79 --separate-stderr as "$me" xmpp-send "${server_opts[@]}" -m hi "$you"
	stderr_has "cannot trust example.test"
}

@test "--cafile replaces the system store: the server's CA in it is not trusted then" {
	run -79 --separate-stderr tool "$me" xmpp-send \
		--cafile "$XT_TEST_DIR/certs/rogue-ca.crt" -m hi "$you"
	stderr_has "cannot trust example.test"
}

@test "xmpp-send and xmpp-listen trust the server through the system store" {
	listen_bg "$you" "$out"
	run -0 --separate-stderr tool "$me" xmpp-send -m "through the system store" "$you"
	wait_lines "$out" 1
	expect "$(jq -r .body "$out")" "through the system store"
	expect "$(jq -r .from "$out")" "$me/$(jq -r .from "$out" | cut -d/ -f2)"
}

@test "xmpp-sendfile uploads through the system store, and curl downloads the link the same way" {
	head -c 100000 /dev/urandom >"$d/photo.bin"
	listen_bg "$you" "$out"
	run -0 --separate-stderr tool "$me" xmpp-sendfile --resolve "$XT_UPLOAD_RESOLVE" \
		--json "$d/photo.bin" "$you"
	url=$(jq -r .url <<<"$output")
	[[ $url == https://upload.example.test:* ]]
	wait_lines "$out" 1
	expect "$(jq -r .body "$out")" "$url"
	run -0 system_trust curl -sSf --resolve "$XT_UPLOAD_RESOLVE" -o "$d/got" "$url"
	expect "$(sha256sum <"$d/got")" "$(sha256sum <"$d/photo.bin")"
}

@test "--exec commands get the user's environment: no SSL_CERT_FILE or SSL_CERT_DIR of ours" {
	cd "$d"
	# --offline: the account's client, that a message to the bare JID
	# reaches on any server (ejabberd sends no carbon of one it stores)
	XMPP_JID=$you XMPP_PASSWORD=pw-${you%@*} system_trust xmpp-listen "${server_opts[@]}" \
		--offline --json -v --count 1 --timeout 10 --exec 'cat >/dev/null; env >env' \
		>"$out" 2>"$out.err" &
	LISTEN_PID=$!
	wait_for "$out.err" '^> <presence'
	run -0 --separate-stderr tool "$me" xmpp-send -m "env?" "$you"
	wait_bounded "$LISTEN_PID"
	[ "$status" -eq 0 ]
	LISTEN_PID=
	expect "$(grep -c '^SSL_CERT_' env)" 0
}

@test "xmpp-roster adds and lists a contact through the system store" {
	run -0 --separate-stderr tool "$me" xmpp-roster add --name Bob "$you"
	run -0 --separate-stderr tool "$me" xmpp-roster list --json
	expect "$(jq -r --arg j "$you" 'select(.jid == $j) | .name' <<<"$output")" Bob
}

@test "xmpp-presence sets and gets a presence through the system store" {
	tool "$you" xmpp-roster subscribe "$me"
	tool "$me" xmpp-roster approve "$you"
	XMPP_JID=$me XMPP_PASSWORD=pw-${me%@*} "${via[@]}" xmpp-presence "${server_opts[@]}" \
		-v --show dnd --status "system store" --for 10 >"$out.hold" 2>"$out.hold.err" &
	HOLD_PID=$!
	presence_acked "$out.hold.err"
	run -0 --separate-stderr tool "$you" xmpp-presence get --json "$me"
	expect "$(jq -c '[.show, .status]' <<<"$output")" '["dnd","system store"]'
}
