#!/usr/bin/env bats
# xmpp-listen: when it exits and with what status, what it prints and in
# which format, what it filters, and how it behaves as a client (pings,
# a closed output).

bats_require_minimum_version 1.5.0

setup() {
	load helpers
	LISTEN_PID=
	me=$(new_account alice)
	you=$(new_account bob)
	out=$BATS_TEST_TMPDIR/out
}

teardown() {
	stop_listener
}

# listen ARGS...: xmpp-listen as $you, taking the messages the server kept
# offline (they were sent before it started).
listen() {
	as "$you" xmpp-listen "${server_opts[@]}" --offline "$@"
}

# expect ACTUAL EXPECTED: compares, showing both on failure.
expect() {
	if [ "$1" != "$2" ]; then
		printf 'expected:\n%s\ngot:\n%s\n' "$2" "$1" >&2
		return 1
	fi
}

@test "--count N exits 0 after printing N stanzas" {
	printf 'one\ntwo\nthree\n' | send --lines "$you"
	run -0 --separate-stderr listen --json --count 2 --timeout 10
	expect "${#lines[@]}" 2
	expect "$(jq -r .body <<<"$output")" "$(printf 'one\ntwo')"
}

@test "by default a listener leaves the messages kept offline to the account's clients" {
	printf 'one\ntwo\nthree\n' | send --lines "$you"
	# priority -1: the server hands this session nothing it stored
	run -75 --separate-stderr as "$you" xmpp-listen "${server_opts[@]}" -v --json \
		--kind message --count 1 --timeout 6
	expect "$output" ""
	[[ $stderr == *"<priority>-1</priority>"* ]]
	# they are all still there for a client that takes them
	run -0 --separate-stderr listen --json --kind message --count 3 --timeout 10
	expect "$(jq -r .body <<<"$output")" "$(printf 'one\ntwo\nthree')"
}

@test "by default a message to the bare JID comes as a carbon, and stays for the account's clients" {
	needs_server prosody "ejabberd stores a message to the bare JID offline when no client has a non-negative priority, and sends no carbon of it (RFC 6121 8.5.2.1.1 lets it)"
	XMPP_JID=$you XMPP_PASSWORD=pw-${you%@*} \
		xmpp-listen "${server_opts[@]}" --json -v --count 1 >"$out" 2>"$out.err" &
	LISTEN_PID=$!
	wait_for "$out.err" '^> <presence'
	send -m "live" "$you"
	wait_lines "$out" 1
	expect "$(jq -r '[.body, .carbon] | join(" ")' "$out")" "live received"
	run -0 --separate-stderr listen --json --kind message --count 1 --timeout 10
	expect "$(jq -r .body <<<"$output")" live
}

@test "--since shows the past from the archive and leaves the offline store as it was" {
	printf 'one\ntwo\n' | send --lines "$you"
	run -0 --separate-stderr as "$you" xmpp-listen "${server_opts[@]}" --json \
		--kind message --since 1h --count 1 --timeout 10
	expect "$(jq -r '[.body, .archived] | join(" ")' <<<"$output")" "one true"
	run -0 --separate-stderr listen --json --kind message --count 2 --timeout 10
	expect "$(jq -r .body <<<"$output")" "$(printf 'one\ntwo')"
	expect "$(jq -r .archived <<<"$output" | sort -u)" null
}

@test "--since: an account written in other case still gets its archive's results" {
	printf 'one\ntwo\n' | send --lines "$you"
	# the account written Bob@Example.TEST, as a user may (RFC 7622: the
	# same account); Prosody's results carry no from, 56-hostile sends one
	local upper=${you%@*}
	upper=${upper^}@${you#*@}
	upper=${upper%.test}.TEST
	run -0 --separate-stderr env XMPP_JID="${upper/example/Example}" \
		XMPP_PASSWORD="pw-${you%@*}" xmpp-listen "${server_opts[@]}" -v --json \
		--kind message --since 1h --count 2 --timeout 10
	expect "$(jq -r '[.body, .archived] | join(" ")' <<<"$output")" "$(printf 'one true\ntwo true')"
	[[ $stderr != *"not from the archive asked"* ]]
}

@test "--priority N goes online at N; --offline without it at 0" {
	run -0 --separate-stderr as "$you" xmpp-listen "${server_opts[@]}" -v --json \
		--priority 5 --timeout 6
	[[ $stderr == *"<priority>5</priority>"* ]]
	run -0 --separate-stderr listen -v --json --timeout 6
	[[ $stderr == *"<priority>0</priority>"* ]]
}

@test "--priority out of range, or --offline at a negative priority or without presence, gives 64" {
	local bad
	for bad in "--priority 128" "--priority -129" "--priority 1x" "--priority=" \
		"--offline --priority -1" "--offline --no-presence" "--priority 3 --no-presence"; do
		# shellcheck disable=SC2086 # the words are the options
		run -64 --separate-stderr as "$you" xmpp-listen "${server_opts[@]}" $bad --timeout 1
		one_error_line xmpp-listen
	done
}

@test "--timeout alone is a duration: exits 0" {
	# the whole run, login included: time enough for a login under valgrind
	run -0 --separate-stderr listen --json --timeout 6
	expect "$output" ""
}

@test "--count with --timeout exits 75 when the count is not reached" {
	send -m "only one" "$you"
	run -75 --separate-stderr listen --json --count 2 --timeout 6
	expect "${#lines[@]}" 1
	expect "$(jq -r .body <<<"$output")" "only one"
	stderr_has "timed out after 6 s (--timeout) with 1 of 2"
}

@test "--from JID prints only stanzas from that bare JID, any resource" {
	local carol
	carol=$(new_account carol)
	send -m "from me 1" "$you"
	as "$carol" xmpp-send "${server_opts[@]}" -m "from carol 1" "$you"
	send -m "from me 2" "$you"
	as "$carol" xmpp-send "${server_opts[@]}" --resource phone -m "from carol 2" "$you"
	run -0 --separate-stderr listen --json --from "$carol" --count 2 --timeout 10
	expect "$(jq -r .body <<<"$output")" "$(printf 'from carol 1\nfrom carol 2')"
	expect "$(jq -r '.from | split("/")[0]' <<<"$output" | sort -u)" "$carol"
}

@test "--from matches a sender's bare JID in any case, a full JID's resource exactly" {
	local carol
	carol=$(new_account carol)
	as "$carol" xmpp-send "${server_opts[@]}" -m "from carol" "$you"
	send -m "from me" "$you"
	as "$carol" xmpp-send "${server_opts[@]}" --resource phone -m "from carol/phone" "$you"
	# RFC 7622: localpart and domain without regard to case, one final dot
	# of the domain no part of it
	run -0 --separate-stderr listen --json --from "${carol^^}." --count 2 --timeout 10
	expect "$(jq -r .body <<<"$output")" "$(printf 'from carol
from carol/phone')"
	as "$carol" xmpp-send "${server_opts[@]}" --resource Phone -m "from carol/Phone" "$you"
	as "$carol" xmpp-send "${server_opts[@]}" --resource phone -m "from carol/phone" "$you"
	# the resource is compared as it is: Phone is not phone
	run -0 --separate-stderr listen --json --from "${carol^^}/phone" --count 1 --timeout 10
	expect "$(jq -r .body <<<"$output")" "from carol/phone"
}

@test "--type prints only stanzas of that type" {
	send -m "a chat" "$you"
	send --type normal -m "a normal one" "$you"
	send -m "another chat" "$you"
	send --type normal -m "another normal one" "$you"
	run -0 --separate-stderr listen --json --type normal --count 2 --timeout 10
	expect "$(jq -r .body <<<"$output")" "$(printf 'a normal one\nanother normal one')"
	expect "$(jq -r .type <<<"$output" | sort -u)" normal
}

@test "--type with a typo is a usage error (64) naming the types there are" {
	run -64 --separate-stderr listen --json --type chta --count 1 --timeout 10
	one_error_line xmpp-listen
	stderr_has "--type wants a stanza type (chat, normal, headline, groupchat, error;"
	stderr_has "got 'chta'"
}

@test "a message without a type is \"normal\" in the JSON, as RFC 6120 reads it" {
	# (ejabberd drops type="normal" in transit: the two servers must read
	# the same)
	send --xml <<EOF
<message to='$you'><body>no type</body></message>
<message to='$you' type='normal'><body>normal</body></message>
EOF
	run -0 --separate-stderr listen --json --count 2 --timeout 10
	expect "$(jq -r '[.body, .type] | join(" ")' <<<"$output")" "$(printf 'no type normal\nnormal normal')"
}

@test "--kind presence shows a contact's presence, and no messages" {
	listen_bg "$you" "$out" --kind presence
	# directed presence reaches the listener without a subscription; the
	# message before it is handled first and must not be printed
	send --xml <<EOF
<message to='$you' type='chat'><body>not a presence</body></message>
<presence to='$you'><show>away</show><status>out for lunch</status></presence>
EOF
	wait_for "$out" '"kind":"presence"'
	# (the sender's exit may add its unavailable presence)
	expect "$(jq -r .kind "$out" | sort -u)" presence
	head -1 "$out" >"$out.first"
	expect "$(jq -r .type "$out.first")" available
	expect "$(jq -r .show "$out.first")" away
	expect "$(jq -r .status "$out.first")" "out for lunch"
	[[ "$(jq -r .from "$out.first")" == "$me/"* ]]
}

@test "--xml prints one stanza per line, even with newlines in the body" {
	printf 'first line\nsecond line\n\nfourth line\n' | send "$you"
	send -m "next" "$you"
	run -0 --separate-stderr listen --xml --count 2 --timeout 10
	expect "${#lines[@]}" 2
	[[ "${lines[0]}" == "<message "* ]]
	[[ "${lines[0]}" == *"<body>first line&#10;second line&#10;&#10;fourth line</body>"* ]]
	[[ "${lines[1]}" == "<message "* ]]
	[[ "${lines[1]}" == *"<body>next</body>"* ]]
}

@test "--full adds the raw stanza as \"xml\"" {
	send -m "with xml & more" "$you"
	run -0 --separate-stderr listen --json --full --count 1 --timeout 10
	expect "$(jq -r .body <<<"$output")" "with xml & more"
	[[ "$(jq -r .xml <<<"$output")" == "<message "*"<body>with xml &amp; more</body>"*"</message>" ]]
}

@test "--exec CMD runs for each message with its JSON on standard input" {
	send -m "first" "$you"
	send -m "second" "$you"
	run -0 --separate-stderr listen --json --count 2 --timeout 10 \
		--exec "jq -r .body >>'$BATS_TEST_TMPDIR/bodies'"
	expect "$(cat "$BATS_TEST_TMPDIR/bodies")" "$(printf 'first\nsecond')"
}

@test "--exec: a message is data on standard input, never shell code; no password, no socket" {
	local body='$(touch pwned1); `touch pwned2`; touch pwned3 | reboot'
	send -m "$body" "$you"
	cd "$BATS_TEST_TMPDIR"
	run -0 --separate-stderr listen --json --count 1 --timeout 10 \
		--exec "cat >seen.json; env >seen.env; ls -l /proc/\$\$/fd >seen.fd"
	[ -z "$(ls | grep pwned)" ]
	expect "$(jq -r .body seen.json)" "$body"
	expect "$(grep -c -e XMPP_PASSWORD -e "pw-${you%@*}" seen.env)" 0
	expect "$(grep -c socket: seen.fd)" 0
}

@test "--text prints a readable line: time sent, sender and body" {
	# sent while the listener is offline: the line shows when it was sent
	send -m "hello, reader" "$you"
	run -0 --separate-stderr listen --text --count 1 --timeout 10
	expect "${#lines[@]}" 1
	[[ "${lines[0]}" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[+-][0-9]{2}:[0-9]{2}\ "$me"/[^\ ]+:\ "hello, reader"$ ]]
}

@test "output is flushed line by line: a pipe sees each stanza before the listener exits" {
	XMPP_JID=$you XMPP_PASSWORD=pw-${you%@*} \
		xmpp-listen "${server_opts[@]}" --offline --json -v 2>"$out.err" > >(cat >"$out") &
	LISTEN_PID=$!
	wait_for "$out.err" '^> <presence'
	send -m "flushed" "$you"
	wait_for "$out" '"body":"flushed"'
	# still listening: the line did not wait for the exit
	kill -0 "$LISTEN_PID"
}

@test "answers XEP-0199 pings" {
	listen_bg "$you" "$out" --resource desk
	send --xml <<EOF
<iq type='get' to='$you/desk' id='p1'><ping xmlns='urn:xmpp:ping'/></iq>
EOF
	wait_for "$out.err" '^> <iq[^>]*id="p1"'
	grep '^> <iq[^>]*id="p1"' "$out.err" | grep -q 'type="result"'
}

@test "xmpp-listen | head -1 ends cleanly once the reader is gone" {
	local i status
	send -m "one" "$you"
	XMPP_JID=$you XMPP_PASSWORD=pw-${you%@*} \
		xmpp-listen "${server_opts[@]}" --offline --json 2>"$out.err" > >(head -1 >"$out") &
	LISTEN_PID=$!
	# it notices the closed pipe at its next write: keep giving it some
	for i in $(seq 1 40); do
		kill -0 "$LISTEN_PID" 2>/dev/null || break
		send -m "more $i" "$you"
	done
	exited "$LISTEN_PID"
	status=0
	wait_bounded "$LISTEN_PID"
	LISTEN_PID=
	expect "$(jq -r .body "$out")" one
	echo "xmpp-listen exited with $status" >&2
	cat "$out.err" >&2
	# xmpp-listen(1): a reader that closed the pipe ends it with 0
	[ "$status" -eq 0 ]
}

@test "on a terminal, stderr says once that it listens, as whom and how to stop; not to a pipe" {
	XMPP_JID=$you XMPP_PASSWORD=pw-${you%@*} \
		"${on_tty[@]}" "$out.tty" xmpp-listen "${server_opts[@]}" --json >"$out" &
	LISTEN_PID=$!
	wait_for "$out.tty" 'Ctrl-C to stop'
	expect "$(wc -l <"$out.tty")" 1
	[[ $(cat "$out.tty") =~ ^xmpp-listen:\ listening\ as\ $you/[^\;]+\;\ Ctrl-C\ to\ stop$ ]]
	stop_listener
	# the same run with stderr to a pipe (a script): nothing on it; it
	# ends on a message, not on a clock (valgrind logs in slowly)
	send -m "for the pipe" "$you"
	run -0 --separate-stderr listen --json --count 1 --timeout 60
	expect "$(jq -r .body <<<"$output")" "for the pipe"
	expect "$stderr" ""
}

@test "--text shows times in local time with the offset (TZ); JSON keeps UTC with Z" {
	export TZ=Asia/Kolkata
	# kept offline: the server stamps each with a delay (UTC)
	send -m "kept offline" "$you"
	run -0 --separate-stderr listen --json --kind message --count 1 --timeout 10
	[[ $(jq -r .delay <<<"$output") =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}(\.[0-9]+)?Z$ ]]
	send -m "again" "$you"
	run -0 --separate-stderr listen --text --kind message --count 1 --timeout 10
	local stamp=${output%% *}
	[[ $stamp =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\+05:30$ ]]
	# the same instant: sent a moment ago
	local ago=$(($(date +%s) - $(date -d "$stamp" +%s)))
	[ "$ago" -ge 0 ] && [ "$ago" -lt 60 ]
	[[ $output == *": again" ]]
}
