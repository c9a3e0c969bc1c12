#!/usr/bin/env bats
# Security: who a stanza comes from. Another user ($me, the attacker) sends
# raw stanzas with xmpp-send --xml that claim another origin: an archive
# result (XEP-0313), a carbon (XEP-0280), a forwarded message (XEP-0297),
# an ack of our own pings. The listener ($you) must show each as what it
# is, a message from its real sender, and hand --exec commands only what
# they can use safely. Also: --text output that cannot be forged with
# newlines or terminal controls.

bats_require_minimum_version 1.5.0

setup() {
	load helpers
	# the attacker, the listener, and whom the attacker poses as
	me=$(new_account alice) you=$(new_account bob) dave=$(new_account dave)
	out=$BATS_TEST_TMPDIR/out
	LISTEN_PID= PROXY_PID=
	# the trust test compares what --exec's command gets with the user's own
	unset SSL_CERT_FILE SSL_CERT_DIR
}

teardown() {
	stop_listener
	[ -z "$PROXY_PID" ] || kill "$PROXY_PID" 2>/dev/null || true
}

# listen ARGS...: xmpp-listen as $you, taking the messages the server kept
# offline (they were sent before it started).
listen() {
	as "$you" xmpp-listen "${server_opts[@]}" --offline "$@"
}

# forged_mam FROM BODY [ID]: a message to $you holding an archive result
# that claims FROM said BODY, with the archive id ID.
forged_mam() {
	cat <<EOF
<message to='$you'><body>outer</body><result xmlns='urn:xmpp:mam:2' queryid='q1' id='${3:-forged-id}'><forwarded xmlns='urn:xmpp:forward:0'><delay xmlns='urn:xmpp:delay' stamp='2020-01-01T00:00:00Z'/><message xmlns='jabber:client' from='$1' to='$you' type='chat'><body>$2</body></message></forwarded></result></message>
EOF
}

# proxy: the fault proxy (tests/tools/faultproxy.py) in front of the
# suite's server; via_proxy holds the options that go through it.
proxy() {
	local port
	port=$(tests/server.sh port)
	python3 tests/tools/faultproxy.py "$port" "${XT_C2S##*:}" \
		>"$BATS_TEST_TMPDIR/proxy.out" 2>"$BATS_TEST_TMPDIR/proxy.err" &
	PROXY_PID=$!
	wait_for "$BATS_TEST_TMPDIR/proxy.out" ready
	via_proxy=(--server "127.0.0.1:$port" --cafile "$XT_CAFILE")
}

# expect ACTUAL EXPECTED: compares, showing both on failure.
expect() {
	if [ "$1" != "$2" ]; then
		printf 'expected:\n%s\ngot:\n%s\n' "$2" "$1" >&2
		return 1
	fi
}

@test "an archive result sent by another user is a message from its real sender; -v says why" {
	listen_bg "$you" "$out"
	forged_mam "$dave/phone" "I am dave" | send --xml
	send -m "marker" "$you"
	wait_for "$out" '"body":"marker"'
	cat "$out"
	expect "$(jq -r 'select(.body == "outer") | .from | split("/")[0]' "$out")" "$me"
	expect "$(grep -c -e 'I am dave' -e '"archived"' -e "$dave" "$out")" 0
	grep -q "archive result from $me/.*ignored" "$out.err"
}

@test "--from JID is not fooled by an archive result another user forged in JID's name" {
	listen_bg "$you" "$out" --from "$dave"
	forged_mam "$dave/phone" "I am dave" | send --xml
	as "$dave" xmpp-send "${server_opts[@]}" -m "the real dave" "$you"
	wait_for "$out" '"body":"the real dave"'
	expect "$(jq -r .body "$out")" "the real dave"
}

@test "--exec: XMPP_FROM is the real sender, never the text of a forged archive result" {
	local evil='x@y/$(touch pwned) ; touch pwned2'
	forged_mam "$evil" "run me" | send --xml
	cd "$BATS_TEST_TMPDIR"
	run -0 --separate-stderr listen --json --count 1 --timeout 10 \
		--exec 'printf "%s\n" "$XMPP_FROM" >from; jq -r .body >body'
	[[ "$(cat from)" == "$me/"* ]]
	expect "$(cat body)" outer
}

@test "--reconnect: a forged archive id does not replay the whole archive through --exec" {
	# in the archive from before: printed once, by an earlier listener
	send -m "old news" "$you"
	run -0 --separate-stderr listen --json --count 1 --timeout 10
	sleep 1.1	# the new listener asks the archive since it started
	proxy
	XMPP_JID=$you XMPP_PASSWORD=pw-${you%@*} xmpp-listen "${via_proxy[@]}" --offline --json -v \
		--reconnect --exec "jq -r .body >>'$BATS_TEST_TMPDIR/bodies'" \
		>"$out" 2>"$out.err" &
	LISTEN_PID=$!
	wait_for "$out.err" '^> <presence'
	forged_mam "$you" "planted" no-such-id | send --xml
	wait_for "$BATS_TEST_TMPDIR/bodies" '^\(outer\|planted\)$'
	kill -USR1 "$PROXY_PID"
	wait_for "$out.err" 'reconnected to'
	send -m "after the cut" "$you"
	wait_for "$BATS_TEST_TMPDIR/bodies" '^after the cut$'
	cat "$BATS_TEST_TMPDIR/bodies"
	expect "$(grep -c -e 'old news' -e planted "$BATS_TEST_TMPDIR/bodies")" 0
}

@test "a carbon or a forwarded message from another user is a message from its real sender" {
	listen_bg "$you" "$out"
	send --xml <<EOF
<message to='$you'><body>carbon outer</body><received xmlns='urn:xmpp:carbons:2'><forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client' from='$dave/phone' to='$you' type='chat'><body>I am dave</body></message></forwarded></received></message>
<message to='$you'><body>forward outer</body><forwarded xmlns='urn:xmpp:forward:0'><message xmlns='jabber:client' from='$dave/phone' to='$you' type='chat'><body>I am dave</body></message></forwarded></message>
EOF
	wait_for "$out" '"body":"forward outer"'
	cat "$out"
	expect "$(jq -r '.body + " " + (.from | split("/")[0])' "$out")" \
		"$(printf 'carbon outer %s\nforward outer %s' "$me" "$me")"
	expect "$(grep -c -e 'I am dave' -e '"carbon"' -e "$dave" "$out")" 0
}

@test "a forged ack (xt-ack-N) from another user confirms nothing" {
	local nobody=nobody$RANDOM@example.test status=0
	proxy
	mkfifo "$BATS_TEST_TMPDIR/fifo"
	as "$you" xmpp-send "${via_proxy[@]}" -v --resource bot --lines "$nobody" \
		<"$BATS_TEST_TMPDIR/fifo" 2>"$out.err" &
	local sender=$!
	exec 5>"$BATS_TEST_TMPDIR/fifo"
	wait_for "$out.err" '^< <enabled'
	# held in the proxy: the forged ack reaches the sender before the
	# server has even seen the message, let alone bounced it
	kill -USR2 "$PROXY_PID"
	sleep 0.3	# the proxy's select pass under way ends first
	echo "first" >&5
	wait_for "$out.err" '^> <message'
	send --xml <<<"<iq type='result' id='xt-ack-999' to='$you/bot'/>"
	sleep 0.3
	kill -USR2 "$PROXY_PID"
	wait_for "$out.err" "^< <iq.*xt-ack-999"
	exec 5>&-
	wait_bounded "$sender"
	cat "$out.err"
	[ "$status" -eq 80 ]
	grep -q "line 1 to $nobody: rejected by the server: service-unavailable" "$out.err"
}

@test "a delivery receipt from anyone but the recipient confirms nothing" {
	local status=0
	# $dave is offline: no real receipt can come
	jq -n -c --arg to "$dave" '{to: $to, body: "for dave", id: "known-id", receipt: true}' |
		as "$you" xmpp-send "${server_opts[@]}" -v --resource bot --json --confirm-timeout 3 \
		2>"$out.err" &
	local sender=$!
	wait_for "$out.err" "^> <message"
	send --xml <<<"<message to='$you/bot'><received xmlns='urn:xmpp:receipts' id='known-id'/></message>"
	wait_for "$out.err" "^< <message.*known-id"
	wait_bounded "$sender"
	cat "$out.err"
	[ "$status" -eq 75 ]
	grep -q "line 1 to $dave: no delivery receipt within 3 s" "$out.err"
}

@test "--exec: a message of an unknown type does not reach the command, and is counted" {
	send --xml <<<"<message to='$you' type='\$(reboot)'><body>typed</body></message>"
	send -m "plain" "$you"
	cd "$BATS_TEST_TMPDIR"
	run -0 --separate-stderr listen --json --count 2 --timeout 10 \
		--exec 'printf "%s %s\n" "$XMPP_TYPE" "$(jq -r .body)" >>ran'
	expect "$(cat ran)" "chat plain"
	stderr_has "1 message(s) were not passed to --exec"
}

@test "--exec: the command starts with default signals and the user's own trust settings" {
	send -m "one" "$you"
	cd "$BATS_TEST_TMPDIR"
	export SSL_CERT_DIR=/the/users/own
	run -0 --separate-stderr listen --json --count 1 --timeout 10 \
		--exec 'cat >/dev/null; grep -e SigIgn -e SigBlk /proc/self/status >sig
			bash -c "trap -p PIPE" >trap; env >env'
	cat sig trap
	# signals 1-31: the ones a program sets; 32 and 33 are glibc's own
	# (no sigaction reaches them) and stay as whoever started the test had
	# them (CI's runner ignores them)
	local name mask got=
	while read -r name mask; do
		got+="$name $((0x$mask & 0x7fffffff)) "
	done <sig
	expect "$got" "SigBlk: 0 SigIgn: 0 "
	expect "$(cat trap)" ""
	expect "$(grep -c '^SSL_CERT_FILE=' env)" 0
	expect "$(grep '^SSL_CERT_DIR=' env)" "SSL_CERT_DIR=/the/users/own"
}

@test "--text indents the continuation lines of a body: no line can pose as another sender" {
	send -m "$(printf 'hello\n12:00:00 %s/phone: send me your password\n\nbye' "$dave")" "$you"
	run -0 --separate-stderr listen --text --count 1 --timeout 10
	printf '%s\n' "${lines[@]}"
	expect "${#lines[@]}" 4
	[[ "${lines[0]}" == *" $me/"*": hello" ]]
	expect "${lines[1]}" "  12:00:00 $dave/phone: send me your password"
	expect "${lines[2]}" "  "
	expect "${lines[3]}" "  bye"
}

@test "--text shows control, C1 and BiDi characters escaped, in bodies and statuses" {
	listen_bg "$you" "$out" --text --resource desk
	send --xml <<EOF
<presence to='$you/desk'><status>away&#10;12:00:00 $dave: hi&#x202e;</status></presence>
<message to='$you' type='chat'><body>a&#9;b&#x7f;c&#x9b;31md&#x202e;e&#x2066;f&#x200f;g&#x61c;h</body></message>
EOF
	wait_for "$out" 'a\\x09b'
	cat "$out"
	grep -q "$me/[^ ]* is available (away\\\\n12:00:00 $dave: hi\\\\u{202E})\$" "$out"
	grep -q "$me/[^ ]*: a\\\\x09b\\\\x7Fc\\\\u{009B}31md\\\\u{202E}e\\\\u{2066}f\\\\u{200F}g\\\\u{061C}h\$" "$out"
	expect "$(LC_ALL=C grep -c $'[\x7f\x80-\xff\t]' "$out")" 0
}

@test "--json: a newline, a tab and other controls in a body come out as JSON escapes" {
	send -m "$(printf 'one\ttwo\nthree')" "$you"
	run -0 --separate-stderr listen --json --count 1 --timeout 10
	expect "${#lines[@]}" 1
	[[ "$output" == *'"body":"one\ttwo\nthree"'* ]]
}

@test "the uptime bot of xmpp-listen(1) answers the sender's bare JID" {
	mkdir -p "$XDG_CONFIG_HOME/xmpp-tools"
	printf 'jid = %s\npassword = pw-%s\nserver = %s\ncafile = %s\n' \
		"$you" "${you%@*}" "$XT_C2S" "$XT_CAFILE" >"$XDG_CONFIG_HOME/xmpp-tools/config"
	chmod 600 "$XDG_CONFIG_HOME/xmpp-tools/config"
	send -m uptime "$you"
	run -0 --separate-stderr xmpp-listen --count 1 --timeout 10 \
		--offline --no-carbons --kind message --type chat \
		--exec 'if jq -e ".body == \"uptime\"" >/dev/null; then
			uptime | xmpp-send -- "$XMPP_FROM_BARE"; fi'
	run -0 --separate-stderr as "$me" xmpp-listen "${server_opts[@]}" --offline --json --count 1 --timeout 10
	[[ "$(jq -r .body <<<"$output")" == *"load average"* ]]
	expect "$(jq -r .to <<<"$output")" "$me"
}
