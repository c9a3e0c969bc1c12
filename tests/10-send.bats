#!/usr/bin/env bats
# xmpp-send: what is sent arrives as it was given (checked with xmpp-listen),
# and bad input is refused with the right exit status before anything of it
# goes out.

bats_require_minimum_version 1.5.0

setup() {
	load helpers
	LISTEN_PID=
	SEND_PID=
	me=$(new_account alice)
	you=$(new_account bob)
	out=$BATS_TEST_TMPDIR/out
	in=$BATS_TEST_TMPDIR/in
}

teardown() {
	stop_listener
	exec 5>&- # own_room's pipe: its client reads to the end and leaves
	if [ -n "$SEND_PID" ]; then
		kill "$SEND_PID" 2>/dev/null || true
		wait "$SEND_PID" 2>/dev/null || true
	fi
}

# receive N [ARGS...]: the first N stanzas $you gets (taking the offline
# ones: they were sent before), as JSON lines in $out; fails unless all N
# came within 10 s.
receive() {
	local n=$1
	shift
	as "$you" xmpp-listen "${server_opts[@]}" --offline --json --count "$n" --timeout 10 "$@" >"$out"
}

# bodies N: the bodies of the first N messages $you gets, one per line.
bodies() {
	receive "$1" --kind message
	jq -r .body "$out"
}

# field EXPR: jq -r EXPR on the single line of $out.
field() {
	[ "$(wc -l <"$out")" -eq 1 ] || {
		echo "expected one line in $out, got:" >&2
		cat "$out" >&2
		return 1
	}
	jq -r "$1" "$out"
}

# expect ACTUAL EXPECTED: compares, showing both on failure.
expect() {
	if [ "$1" != "$2" ]; then
		printf 'expected:\n%s\ngot:\n%s\n' "$2" "$1" >&2
		return 1
	fi
}

# own_room ROOM [FIELD=VALUE...]: a third client ($owner) creates ROOM and
# stays in it as its owner, so that only xmpp-send's part is tested. It
# unlocks the room with the default configuration (an instant room,
# XEP-0045 10.1.2), or with these muc#roomconfig_ fields set (a name with
# an underscore is a server's own field, used as it is: ejabberd's
# members_by_default).
own_room() {
	local room=$1 f var fields=''
	shift
	for f in "$@"; do
		var=${f%%=*}
		[[ $var == *_* ]] || var=muc#roomconfig_$var
		fields+="<field var='$var'><value>${f#*=}</value></field>"
	done
	[ -z "$fields" ] || fields="<field var='FORM_TYPE'><value>http://jabber.org/protocol/muc#roomconfig</value></field>$fields"
	owner=$(new_account carol)
	mkfifo "$BATS_TEST_TMPDIR/owner.in"
	XMPP_JID=$owner XMPP_PASSWORD=pw-${owner%@*} \
		xmpp-send "${server_opts[@]}" -v --xml <"$BATS_TEST_TMPDIR/owner.in" \
		2>"$BATS_TEST_TMPDIR/owner.err" &
	SEND_PID=$!
	exec 5>"$BATS_TEST_TMPDIR/owner.in"
	cat >&5 <<EOF
<presence to='$room/Owner'><x xmlns='http://jabber.org/protocol/muc'/></presence>
<iq type='set' to='$room' id='config1'><query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='submit'>$fields</x></query></iq>
EOF
	wait_for "$BATS_TEST_TMPDIR/owner.err" '^< <iq[^>]*id="config1"'
	grep -q '^< <iq[^>]*id="config1"[^>]*type="result"\|^< <iq[^>]*type="result"[^>]*id="config1"' \
		"$BATS_TEST_TMPDIR/owner.err"
}

# ---- round trips ----

@test "-m sends the text as a chat message" {
	run -0 send -m "hello there" "$you"
	receive 1
	expect "$(field .kind)" message
	expect "$(field .type)" chat
	expect "$(field .body)" "hello there"
	[[ "$(field .from)" == "$me/"* ]]
}

@test "standard input is sent whole as one message, newlines included" {
	printf 'line one\nline two\n\n\tline four\n' >"$in"
	run -0 send "$you" <"$in"
	run -0 send -m end "$you"
	receive 2
	expect "$(jq -r .body "$out" | head -c -1 | tr '\n' '|')" "line one|line two||	line four|end"
	expect "$(jq -s -r '.[0].body' "$out")" "$(printf 'line one\nline two\n\n\tline four')"
}

@test "a 100 KB body on standard input from a pipe arrives whole" {
	# more than one read, more than one pipe buffer
	seq -f 'line %06g of a long report' 1 4000 >"$in"
	cat "$in" | run -0 --separate-stderr send "$you"
	receive 1
	expect "$(jq -r .body "$out" | sha256sum)" "$(sha256sum <"$in")"
}

@test "Unicode and XML-special characters in bodies arrive byte-identical" {
	local text
	text=$(printf '%s' 'emoji 😀🎉👍🏽 CJK 漢字かなカナ한국어 RTL עברית العربية' \
		" <tag> & &amp; \"double\" 'single' ]]> \\back\\slash")
	run -0 send -m "$text" "$you"
	printf '%s\nsecond line: 中文 <&>"\x27\n' "$text" >"$in"
	run -0 send "$you" <"$in"
	receive 2
	jq -s -j '.[0].body' "$out" >"$BATS_TEST_TMPDIR/got1"
	printf '%s' "$text" | cmp - "$BATS_TEST_TMPDIR/got1"
	jq -s -j '.[1].body' "$out" >"$BATS_TEST_TMPDIR/got2"
	head -c -1 "$in" | cmp - "$BATS_TEST_TMPDIR/got2"
}

@test "--lines sends each line as a message, in order, skipping blank lines" {
	printf 'one\n\ntwo\n\nthree\n' >"$in"
	run -0 send --lines "$you" <"$in"
	run -0 send -m end "$you"
	expect "$(bodies 4)" "$(printf 'one\ntwo\nthree\nend')"
}

@test "--lines sends each line as it arrives, before the input ends" {
	listen_bg "$you" "$out"
	mkfifo "$in"
	XMPP_JID=$me XMPP_PASSWORD=pw-${me%@*} \
		xmpp-send "${server_opts[@]}" --lines "$you" <"$in" 2>"$BATS_TEST_TMPDIR/send.err" &
	SEND_PID=$!
	exec 5>"$in"
	echo first >&5
	wait_for "$out" '"body":"first"'
	# the input is still open: the sender is still reading it
	kill -0 "$SEND_PID"
	echo second >&5
	exec 5>&-
	local rc=0
	wait_bounded "$SEND_PID"; rc=$status
	SEND_PID=
	cat "$BATS_TEST_TMPDIR/send.err" >&2
	expect "$rc" 0
	wait_for "$out" '"body":"second"'
	expect "$(jq -r .body "$out")" "$(printf 'first\nsecond')"
}

@test "--json sends to, type, body, subject, thread, id and url (as OOB)" {
	jq -n -c --arg to "$you" '{to: $to, type: "normal", body: "the body",
		subject: "the subject", thread: "thread-7", id: "my-own-id-42",
		url: "https://example.org/file.png"}' >"$in"
	run -0 send --json <"$in"
	receive 1 --full
	expect "$(field .type)" normal
	expect "$(field .body)" "the body"
	expect "$(field .subject)" "the subject"
	expect "$(field .thread)" thread-7
	expect "$(field .id)" my-own-id-42
	expect "$(field .url)" https://example.org/file.png
	[[ "$(field .xml)" == *'xmlns="jabber:x:oob"'* ]]
}

@test "--json \"to\" may be an array: each JID gets the message" {
	local carol
	carol=$(new_account carol)
	jq -n -c --arg a "$you" --arg b "$carol" '{to: [$a, $b], body: "to both"}' >"$in"
	run -0 send --json <"$in"
	receive 1
	expect "$(field .body)" "to both"
	as "$carol" xmpp-listen "${server_opts[@]}" --offline --json --count 1 --timeout 10 >"$out"
	expect "$(field .body)" "to both"
	expect "$(field .to)" "$carol"
}

@test "--xml sends raw stanzas as given" {
	cat >"$in" <<EOF
<message to='$you' type='chat' id='raw-1'><body>raw &amp; &lt;escaped&gt;</body></message>
<message to='$you' type='normal' id='raw-2'>
  <subject>multi-line stanza</subject>
  <body>second</body>
</message>
EOF
	run -0 send --xml <"$in"
	receive 2
	expect "$(jq -s -c '[.[] | {id, type, body, subject}]' "$out")" \
		'[{"id":"raw-1","type":"chat","body":"raw & <escaped>","subject":null},{"id":"raw-2","type":"normal","body":"second","subject":"multi-line stanza"}]'
}

@test "several recipients get the message over one connection" {
	local carol
	carol=$(new_account carol)
	run -0 --separate-stderr send -v -m "to you both" "$you" "$carol"
	expect "$(grep -c '^> <auth ' <<<"$stderr")" 1
	expect "$(grep -c '^> <message ' <<<"$stderr")" 2
	receive 1
	expect "$(field .body)" "to you both"
	as "$carol" xmpp-listen "${server_opts[@]}" --offline --json --count 1 --timeout 10 >"$out"
	expect "$(field .body)" "to you both"
}

@test "--type headline sends a headline" {
	# servers do not store headlines for later: the recipient is online
	listen_bg "$you" "$out"
	run -0 send --type headline -m "news flash" "$you"
	wait_for "$out" '"body":"news flash"'
	expect "$(field .type)" headline
}

@test "--type normal sends a normal message" {
	run -0 send --type normal -m "a letter" "$you"
	receive 1
	expect "$(field .type)" normal
	expect "$(field .body)" "a letter"
}

@test "--subject sets the message subject" {
	run -0 send --subject "Re: plans" -m "sounds good" "$you"
	receive 1
	expect "$(field .subject)" "Re: plans"
	expect "$(field .body)" "sounds good"
}

@test "--muc ROOM --nick sends to the room as groupchat under that nick" {
	local room=room-$BATS_SUITE_TEST_NUMBER-$RANDOM@rooms.example.test
	listen_bg "$you" "$out" --muc "$room"
	run -0 send --muc "$room" --nick Herald -m "hello room"
	wait_for "$out" '"body":"hello room"'
	jq -c 'select(.body == "hello room")' "$out" >"$out.msg"
	expect "$(jq -r .type "$out.msg")" groupchat
	expect "$(jq -r .muc.room "$out.msg")" "$room"
	expect "$(jq -r .muc.nick "$out.msg")" Herald
	expect "$(jq -r .from "$out.msg")" "$room/Herald"
}

@test "--muc sends to a room someone else created and configured" {
	local room=room-$BATS_SUITE_TEST_NUMBER-$RANDOM@rooms.example.test owner
	own_room "$room"
	listen_bg "$you" "$out" --muc "$room"
	run -0 send --muc "$room" --nick Herald -m "hello room"
	exec 5>&-
	wait_for "$out" '"body":"hello room"'
	jq -c 'select(.body == "hello room")' "$out" >"$out.msg"
	expect "$(jq -r .type "$out.msg")" groupchat
	expect "$(jq -r .muc.room "$out.msg")" "$room"
	expect "$(jq -r .muc.nick "$out.msg")" Herald
}

@test "a room message is confirmed by its reflection, without waiting for bounces" {
	local room=room-$BATS_SUITE_TEST_NUMBER-$RANDOM@rooms.example.test pid
	listen_bg "$you" "$out" --muc "$room"
	# a room on another domain: before, it waited --bounce-wait (here a
	# minute, cut at the run's 20 s); its reflection is the confirmation
	send --muc "$room" --bounce-wait 60000 --timeout 20 -m "hello room" &
	pid=$!
	wait_bounded "$pid" 10
	[ "$status" -eq 0 ]
	# --lines: each line, confirmed by its own reflection
	printf 'one\ntwo\n' | send --muc "$room" --lines --bounce-wait 60000 --timeout 20 &
	pid=$!
	wait_bounded "$pid" 10
	[ "$status" -eq 0 ]
	wait_for "$out" '"body":"two"'
	expect "$(jq -r 'select(.type == "groupchat" and .body) | .body' "$out")" "hello room
one
two"
}

@test "a message to a room where we may not speak fails, the room's condition named (80)" {
	local room=room-$BATS_SUITE_TEST_NUMBER-$RANDOM@rooms.example.test owner
	local fields=(moderatedroom=1) why="You do not currently have permission to speak in this chat"
	# moderated: an occupant without affiliation joins as a visitor (on
	# ejabberd only with members_by_default off: its default gives voice
	# to everyone), and the room says why in its own words
	if [ "$XT_SERVER" = ejabberd ]; then
		fields+=(members_by_default=0)
		why="Visitors are not allowed to send messages to all occupants"
	fi
	own_room "$room" "${fields[@]}"
	run --separate-stderr send --muc "$room" -m "may I?"
	[ "$status" -eq 80 ]
	one_error_line
	stderr_has "message to $room: refused by the room: forbidden: $why"
	# --lines: each line is answered on its own
	run --separate-stderr send --muc "$room" --lines <<<$'one\ntwo'
	[ "$status" -eq 80 ]
	[ "${#stderr_lines[@]}" -eq 2 ]
	stderr_has "line 1 to $room: refused by the room: forbidden"
	stderr_has "line 2 to $room: refused by the room: forbidden"
}

@test "a message to an offline user is in its archive: --since shows it \"archived\"" {
	run -0 send -m "kept for later" "$you"
	# the archive comes before presence, hence before any offline delivery
	receive 1 --since 1h
	expect "$(field .body)" "kept for later"
	expect "$(field .archived)" true
	expect "$(field '.archive_id | type')" string
}

@test "carbons: a listener sees what another client of the same account sends" {
	# (messages only: ejabberd also tells r1 that r2 went offline)
	listen_bg "$me" "$out" --resource r1 --kind message
	run -0 send --resource r2 -m "sent from r2" "$you"
	wait_for "$out" '"carbon":"sent"'
	expect "$(field .carbon)" sent
	expect "$(field .body)" "sent from r2"
	expect "$(field .from)" "$me/r2"
	expect "$(field .to)" "$you"
}

@test "a message the server cannot deliver comes back: exit 80 with its error" {
	# no such account here; another domain (this server has no s2s)
	run --separate-stderr send -m hi "nobody@example.test"
	[ "$status" -eq 80 ]
	one_error_line
	stderr_has "message to nobody@example.test: rejected by the server: service-unavailable"
	run --separate-stderr send -m hi "somebody@elsewhere.invalid"
	[ "$status" -eq 80 ]
	stderr_has "message to somebody@elsewhere.invalid: rejected by the server:"
}

@test "--receipt without a client that answers receipts times out (75) naming the message" {
	run -75 --separate-stderr send --receipt --confirm-timeout 2 -m "are you there" "$you"
	stderr_has "message to $you: no delivery receipt within 2 s (--confirm-timeout)"
	# the run's deadline ends the wait too, and says so
	# (time enough to log in first, also under valgrind)
	run -75 --separate-stderr send --receipt --timeout 8 -m "are you there" "$you"
	stderr_has "message to $you: no delivery receipt before the run's --timeout of 8 s"
}

@test "--receipt exits 0 once the recipient's client confirms delivery" {
	# a client that answers XEP-0184 requests, built from the tools
	cat >"$BATS_TEST_TMPDIR/answer" <<'SH'
#!/bin/sh
jq -r 'select(.receipt_request) | "<message to=\"\(.from)\"><received xmlns=\"urn:xmpp:receipts\" id=\"\(.id)\"/></message>"' |
	xmpp-send --server "$XT_C2S" --cafile "$XT_CAFILE" --xml
SH
	chmod +x "$BATS_TEST_TMPDIR/answer"
	local answer=$BATS_TEST_TMPDIR/answer
	listen_bg "$you" "$out" --exec "$answer"
	run -0 --separate-stderr send --receipt --timeout 10 -m "please confirm" "$you"
	# the request's line: ejabberd may add a second, the receipt bounced
	# back to the answering client because xmpp-send closed the stream
	# before acking it (XEP-0198: unacked stanzas are bounced)
	expect "$(jq -r 'select(.body == "please confirm") | .receipt_request' "$out")" true
	# the receipt comes from $you as the server spells it: the same JID
	run -0 --separate-stderr send --receipt --timeout 10 -m "again" "${you^^}"
}

# ---- bad input: refused, and nothing sent for it ----

@test "malformed JSON exits 65 naming the line; the good lines are sent" {
	{
		jq -n -c --arg to "$you" '{to: $to, body: "good one"}'
		echo '{"to": "'"$you"'", "body": "broken'
		jq -n -c --arg to "$you" '{to: $to, body: "good three"}'
	} >"$in"
	run -65 --separate-stderr send --json <"$in"
	stderr_has "line 2: malformed JSON"
	run -0 send -m end "$you"
	expect "$(bodies 3)" "$(printf 'good one\ngood three\nend')"
}

@test "an unknown JSON field is named and the line not sent" {
	jq -n -c --arg to "$you" '{to: $to, body: "hi", colour: "red"}' >"$in"
	run -65 --separate-stderr send --json <"$in"
	stderr_has 'line 1: unknown field "colour"'
	run -0 send -m end "$you"
	expect "$(bodies 1)" end
}

@test "an invalid JID on the command line exits 64 and sends nothing" {
	run -64 --separate-stderr send -m "hi" "$you" "no spaces@example.test"
	stderr_has "'no spaces@example.test'"
	run -0 send -m end "$you"
	expect "$(bodies 1)" end
}

@test "an invalid JID in JSON \"to\" exits 65 naming the line" {
	{
		jq -n -c --arg to "$you" '{to: $to, body: "valid"}'
		jq -n -c --arg to "$you" '{to: [$to, "bad jid@example.test"], body: "invalid"}'
	} >"$in"
	run -65 --separate-stderr send --json <"$in"
	stderr_has "line 2:"
	stderr_has "'bad jid@example.test'"
	run -0 send -m end "$you"
	expect "$(bodies 2)" "$(printf 'valid\nend')"
}

@test "invalid UTF-8 on standard input exits 65 and sends nothing" {
	printf '\xff\xfe' >"$in"
	run -65 --separate-stderr send "$you" <"$in"
	stderr_has "invalid UTF-8"
	run -0 send -m end "$you"
	expect "$(bodies 1)" end
}

@test "overlong, surrogate and out-of-range UTF-8 on standard input exit 65, nothing sent" {
	# RFC 3629 3: "/" as two bytes, NUL as three, U+D800, U+110000
	local bad
	for bad in '\xc0\xaf' '\xe0\x80\x80' '\xed\xa0\x80' '\xf4\x90\x80\x80'; do
		printf "a${bad}b" >"$in"
		run -65 --separate-stderr send "$you" <"$in"
		stderr_has "invalid UTF-8"
	done
	run -0 send -m end "$you"
	expect "$(bodies 1)" end
}

@test "a control character in the body exits 65 and sends nothing" {
	printf 'a\x01b' >"$in"
	run -65 --separate-stderr send "$you" <"$in"
	stderr_has "control character"
	run -0 send -m end "$you"
	expect "$(bodies 1)" end
}

@test "-m, --subject and --url with a control character or invalid UTF-8 exit 65, nothing sent" {
	run -65 --separate-stderr send -m "$(printf 'a\x01b')" "$you"
	stderr_has "control character"
	run -65 --separate-stderr send -m "$(printf 'a\xffb')" "$you"
	stderr_has "invalid UTF-8"
	run -65 --separate-stderr send --subject "$(printf 'a\x01b')" -m ok "$you"
	stderr_has "control character"
	run -65 --separate-stderr send --url "$(printf 'a\xffb')" -m ok "$you"
	stderr_has "invalid UTF-8"
	run -0 send -m end "$you"
	expect "$(bodies 1)" end
}

@test "--lines reports a bad line by number and still delivers the good lines" {
	printf 'good one\n\xff\xfe\ngood three\nbad\x01four\ngood five\n' >"$in"
	run -65 --separate-stderr send --lines "$you" <"$in"
	stderr_has "line 2: invalid UTF-8"
	stderr_has "line 4: control character"
	run -0 send -m end "$you"
	expect "$(bodies 4)" "$(printf 'good one\ngood three\ngood five\nend')"
}

@test "XML that is not well-formed exits 65 naming the line" {
	cat >"$in" <<EOF
<message to='$you'><body>fine</body></message>
<message to='$you'><body>broken</bdy></message>
EOF
	run -65 --separate-stderr send --xml <"$in"
	stderr_has "line 2"
	run -0 send -m end "$you"
	expect "$(bodies 2)" "$(printf 'fine\nend')"
}

@test "no -m and empty standard input exits 65" {
	run -65 --separate-stderr send "$you" </dev/null
	stderr_has "empty"
}

@test "-m \"\" exits 65 as an empty standard input does, and sends nothing" {
	run -65 --separate-stderr send -m "" "$you"
	one_error_line
	stderr_has "-m is empty: nothing to send"
	run -0 send -m end "$you"
	expect "$(bodies 1)" end
}

@test "a recipient without @ or dot is named in a warning: it is a server's address" {
	run -0 --separate-stderr send -m "to the user" "$you"
	refute grep -q "has no @" <<<"$stderr"
	# sent, as asked: the server bounces it (no such server), which is 80
	run -80 --separate-stderr send -m hi "${you%@*}"
	stderr_has "recipient '${you%@*}' has no @: it is taken as the address of a server named ${you%@*}, not of a user (did you mean ${you%@*}@DOMAIN?)"
}

@test "no recipient exits 64" {
	run -64 --separate-stderr send -m "to whom"
	stderr_has "recipient"
}

@test "an unknown option exits 64 naming it" {
	run -64 --separate-stderr send --frobnicate -m hi "$you"
	stderr_has "'--frobnicate'"
}
