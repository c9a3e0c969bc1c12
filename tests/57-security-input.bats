#!/usr/bin/env bats
# xmpp-send and input too large to be a message: a line over 1 MiB is
# refused whole, by its number, and a message body over 1 MiB is refused
# before connecting, without reading all of it into memory.

bats_require_minimum_version 1.5.0

setup() {
	load helpers
	LISTEN_PID=
	me=$(new_account alice)
	you=$(new_account bob)
	out=$BATS_TEST_TMPDIR/out
	in=$BATS_TEST_TMPDIR/in
}

teardown() {
	stop_listener
}

# letters N C: N times the letter C, without a newline.
letters() {
	head -c "$1" /dev/zero | tr '\0' "$2"
}

# closed_port: a local port nothing listens on.
closed_port() {
	local p
	for _ in $(seq 1 50); do
		p=$((30000 + RANDOM % 20000))
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# bodies_after_end: the bodies $you got up to the message "end", which
# the test sends last; waits for it.
bodies_after_end() {
	send -m end "$you"
	wait_for "$out" '"body":"end"'
	jq -r .body "$out" | head -c 200
}

@test "--lines refuses a line over 1 MiB whole, arriving in pieces, and sends the others" {
	listen_bg "$you" "$out"
	# the long line's first 1.2 MB, a pause, then its last 300 kB
	run --separate-stderr -65 send --lines "$you" < <(
		echo first
		letters 1200000 a
		sleep 0.3
		letters 300000 b
		echo
		echo third
	)
	expect_one_line_refused 2
	expect_bodies "$(printf 'first\nthird\nend')"
}

@test "--lines refuses a line over 1 MiB read from a file, and sends the others" {
	listen_bg "$you" "$out"
	{ echo first; letters 1500000 a; echo; echo third; } >"$in"
	run --separate-stderr -65 send --lines "$you" <"$in"
	expect_one_line_refused 2
	expect_bodies "$(printf 'first\nthird\nend')"
}

@test "--lines numbers the lines after a refused long line as the input does" {
	listen_bg "$you" "$out"
	run --separate-stderr -65 send --lines "$you" < <(
		echo first
		letters 1100000 a
		sleep 0.3
		letters 100000 b
		echo
		echo third
		printf 'bell\a\n'
		echo fifth
	)
	[ "${#stderr_lines[@]}" -eq 2 ]
	[[ ${stderr_lines[0]} == "xmpp-send: line 2: longer than 1048576 bytes: line not sent" ]]
	[[ ${stderr_lines[1]} == "xmpp-send: line 4: "*"line not sent" ]]
	expect_bodies "$(printf 'first\nthird\nfifth\nend')"
}

@test "--json refuses a line over 1 MiB whole, and sends the others" {
	listen_bg "$you" "$out"
	run --separate-stderr -65 send --json < <(
		jq -n -c --arg to "$you" '{to: $to, body: "first"}'
		printf '{"to": "%s", "body": "' "$you"
		letters 1200000 a
		sleep 0.3
		printf '"}\n'
		jq -n -c --arg to "$you" '{to: $to, body: "third"}'
	)
	expect_one_line_refused 2
	expect_bodies "$(printf 'first\nthird\nend')"
}

@test "a message body on standard input over 1 MiB is refused before connecting, read no further" {
	local port
	port=$(closed_port)
	as "$me" run --separate-stderr -65 \
		/usr/bin/time -f %M -o "$BATS_TEST_TMPDIR/rss" \
		xmpp-send --server "127.0.0.1:$port" --cafile "$XT_CAFILE" "$you" \
		< <(letters 50000000 a)
	one_error_line
	[[ $stderr == "xmpp-send: standard input: longer than 1 MiB (1048576 bytes)"*"nothing sent"* ]]
	rss_under 20000 "$BATS_TEST_TMPDIR/rss"
}

@test "a message body of exactly 1 MiB, trailing newline removed, is not refused" {
	local port
	port=$(closed_port)
	{ letters 1048576 a; echo; } >"$in"
	# it gets as far as connecting: nobody listens there
	as "$me" run --separate-stderr -69 \
		xmpp-send --server "127.0.0.1:$port" --cafile "$XT_CAFILE" "$you" <"$in"
	one_error_line
	stderr_has "Connection refused"
	# one byte more is refused
	{ letters 1048577 a; echo; } >"$in"
	as "$me" run --separate-stderr -65 \
		xmpp-send --server "127.0.0.1:$port" --cafile "$XT_CAFILE" "$you" <"$in"
	one_error_line
	stderr_has "longer than 1 MiB"
}

# expect_one_line_refused N: stderr is one line, refusing line N as too long.
expect_one_line_refused() {
	one_error_line
	expect "${stderr_lines[0]}" "xmpp-send: line $1: longer than 1048576 bytes: line not sent"
}

# expect_bodies TEXT: the bodies $you got, one per line, up to "end".
expect_bodies() {
	expect "$(bodies_after_end)" "$1"
}

# expect ACTUAL EXPECTED: compares, showing both on failure.
expect() {
	if [ "$1" != "$2" ]; then
		printf 'expected:\n%s\ngot:\n%s\n' "$2" "$1" >&2
		return 1
	fi
}
