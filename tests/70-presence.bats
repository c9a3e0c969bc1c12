#!/usr/bin/env bats
# xmpp-presence: a presence set (and held) by one account is what its
# subscribers read with get, probe and watch; subscriptions are made with
# xmpp-roster only.

bats_require_minimum_version 1.5.0

setup() {
	load helpers
	me=$(new_account alice)
	you=$(new_account bob)
	other=$(new_account carol)
	out=$BATS_TEST_TMPDIR/out
	HOLD_PID=
	WATCH_PID=
}

# stop PID: ends a background tool started by a test.
stop() {
	[ -n "$1" ] || return 0
	kill "$1" 2>/dev/null || true
	exited "$1" || kill -9 "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

teardown() {
	stop "$HOLD_PID"
	stop "$WATCH_PID"
}

# presence JID ARGS...: xmpp-presence as JID.
presence() {
	local jid=$1
	shift
	as "$jid" xmpp-presence "${server_opts[@]}" "$@"
}

# subscribed WHO CONTACT: WHO subscribes to CONTACT's presence, CONTACT
# approves (xmpp-roster only).
subscribed() {
	as "$1" xmpp-roster "${server_opts[@]}" subscribe "$2"
	as "$2" xmpp-roster "${server_opts[@]}" approve "$1"
}

# hold ARGS...: $me holds the presence ARGS ask for, in the background, until
# the server has it.
hold() {
	XMPP_JID=$me XMPP_PASSWORD=pw-${me%@*} \
		xmpp-presence "${server_opts[@]}" -v "$@" >"$out.hold" 2>"$out.hold.err" &
	HOLD_PID=$!	# xmpp-presence's own pid
	presence_acked "$out.hold.err"
}

# expect ACTUAL EXPECTED: compares, showing both on failure.
expect() {
	if [ "$1" != "$2" ]; then
		printf 'expected:\n%s\ngot:\n%s\n' "$2" "$1" >&2
		return 1
	fi
}

# of JID: the lines of $output about JID.
of() {
	jq -c --arg j "$1" 'select(.jid == $j)' <<<"$output"
}

# ---- get ----

@test "get shows a held presence to a subscriber: show, status, priority, resource" {
	subscribed "$you" "$me"
	hold --show dnd --status "in a meeting" --priority 5 --for 10
	run -0 --separate-stderr presence "$you" get --json
	expect "$(of "$me" | wc -l)" 1
	expect "$(of "$me" | jq -r .type)" available
	expect "$(of "$me" | jq -r .show)" dnd
	expect "$(of "$me" | jq -r .status)" "in a meeting"
	expect "$(of "$me" | jq -c .priority)" 5
	[[ $(of "$me" | jq -r .resource) =~ ^[^/]+$ ]]
}

@test "get JID shows only that contact" {
	subscribed "$you" "$me"
	subscribed "$you" "$other"
	hold --show dnd --status "in a meeting" --priority 5 --for 10
	run -0 --separate-stderr presence "$you" get --json
	expect "$(jq -r .jid <<<"$output" | sort -u)" "$(printf '%s\n' "$me" "$other" | sort)"
	run -0 --separate-stderr presence "$you" get --json "$me"
	expect "${#lines[@]}" 1
	expect "$(jq -c '[.jid, .show]' <<<"$output")" "[\"$me\",\"dnd\"]"
	run -0 --separate-stderr presence "$you" get --json "$other"
	expect "$output" "{\"kind\":\"presence\",\"type\":\"unavailable\",\"from\":\"$other\",\"jid\":\"$other\"}"
}

@test "a contact known to be offline is listed with type \"unavailable\"" {
	subscribed "$you" "$me"
	subscribed "$you" "$other"
	hold --show away --for 10
	run -0 --separate-stderr presence "$you" get --json
	expect "$(of "$other" | jq -c '[.type, .resource, .show]')" '["unavailable",null,null]'
	expect "$(of "$me" | jq -r .type)" available
}

@test "get --text prints one line per contact for people" {
	subscribed "$you" "$me"
	subscribed "$you" "$other"
	hold --show dnd --status "in a meeting" --for 10
	run -0 --separate-stderr presence "$you" get --text
	expect "${#lines[@]}" 2
	[[ $output == *"$me/"*" dnd (in a meeting)"* ]]
	[[ $output == *"$other unavailable"* ]]
}

# ---- probe ----

@test "probe prints a subscribed contact's presence" {
	subscribed "$you" "$me"
	hold --show dnd --status "in a meeting" --priority 5 --for 10
	run -0 --separate-stderr presence "$you" probe "$me"
	expect "${#lines[@]}" 1
	expect "$(jq -c '[.jid, .type, .show, .status, .priority]' <<<"$output")" \
		"[\"$me\",\"available\",\"dnd\",\"in a meeting\",5]"
	[ -n "$(jq -r '.resource // empty' <<<"$output")" ]
}

@test "probe of an offline subscribed contact prints it unavailable" {
	subscribed "$you" "$me"
	run -0 --separate-stderr presence "$you" probe "$me"
	expect "$output" "{\"kind\":\"presence\",\"type\":\"unavailable\",\"from\":\"$me\",\"jid\":\"$me\"}"
}

@test "probe of a JID not subscribed to fails 65, saying to run xmpp-roster subscribe" {
	hold --show dnd --for 10
	run -65 --separate-stderr presence "$you" probe "$me"
	one_error_line xmpp-presence
	stderr_has "xmpp-roster subscribe $me"
	expect "$output" ""
	# subscribed the other way round is not enough either
	subscribed "$me" "$you"
	run -65 --separate-stderr presence "$you" probe "$me"
	one_error_line xmpp-presence
	stderr_has "xmpp-roster subscribe $me"
}

# ---- watch ----

@test "watch prints a contact's presence change as it happens" {
	subscribed "$you" "$me"
	XMPP_JID=$you XMPP_PASSWORD=pw-${you%@*} xmpp-presence "${server_opts[@]}" -v \
		watch --json --count 2 --timeout 10 >"$out" 2>"$out.err" &
	WATCH_PID=$!
	presence_acked "$out.err"
	run -0 --separate-stderr presence "$me" --once --show away --status "back soon"
	local rc=0
	wait_bounded "$WATCH_PID"; rc=$status
	WATCH_PID=
	expect "$rc" 0
	expect "$(wc -l <"$out")" 2
	jq -c 'select(.show == "away")' "$out" >"$out.away"
	expect "$(wc -l <"$out.away")" 1
	expect "$(jq -c '[.jid, .type, .status]' "$out.away")" "[\"$me\",\"available\",\"back soon\"]"
	[ -n "$(jq -r '.resource // empty' "$out.away")" ]
}

@test "watch --timeout before --count presences came gives 75 and says so" {
	run -75 --separate-stderr presence "$you" watch --json --count 5 --timeout 1
	one_error_line xmpp-presence
	stderr_has "timed out after 1 s"
}

# ---- setting presence ----

@test "--once sends the presence and exits 0" {
	run -0 --separate-stderr presence "$me" --once --show chat --status "hello"
	expect "$output" ""
}

@test "SIGTERM ends a held presence with 0; subscribers then see it unavailable" {
	subscribed "$you" "$me"
	hold --show dnd --status "in a meeting"
	run -0 --separate-stderr presence "$you" get --json "$me"
	expect "$(jq -r .show <<<"$output")" dnd
	kill -TERM "$HOLD_PID"
	local rc=0
	wait_bounded "$HOLD_PID"; rc=$status
	HOLD_PID=
	expect "$rc" 0
	run -0 --separate-stderr presence "$you" get --json "$me"
	expect "$output" "{\"kind\":\"presence\",\"type\":\"unavailable\",\"from\":\"$me\",\"jid\":\"$me\"}"
}

@test "--for S holds the presence S seconds, then exits 0" {
	local start=$SECONDS
	run -0 --separate-stderr presence "$me" --for 1 --show xa
	local took=$((SECONDS - start))
	[ "$took" -ge 1 ]
	[ "$took" -le 4 ]
}

# ---- usage ----

@test "--show with a bad value gives 64 naming it" {
	run -64 --separate-stderr presence "$me" --show busy --once
	one_error_line xmpp-presence
	stderr_has "'busy'"
}

@test "--priority out of range gives 64" {
	run -64 --separate-stderr presence "$me" --priority 128 --once
	one_error_line xmpp-presence
	run -64 --separate-stderr presence "$me" --priority -129 --once
	one_error_line xmpp-presence
}

@test "--once with --for gives 64" {
	run -64 --separate-stderr presence "$me" --once --for 5
	one_error_line xmpp-presence
}

@test "an unknown subcommand gives 64 and one error line naming it" {
	run -64 --separate-stderr presence "$me" frobnicate
	one_error_line xmpp-presence
	stderr_has "'frobnicate'"
}

@test "probe without a JID, or get with an invalid one, gives 64" {
	run -64 --separate-stderr presence "$you" probe
	one_error_line xmpp-presence
	run -64 --separate-stderr presence "$you" get "no spaces@example.test"
	one_error_line xmpp-presence
	stderr_has "'no spaces@example.test'"
}

@test "on a terminal, stderr says once who is online, how, and how to stop; not to a pipe" {
	XMPP_JID=$me XMPP_PASSWORD=pw-${me%@*} "${on_tty[@]}" "$out.tty" \
		xmpp-presence "${server_opts[@]}" --show dnd --status "in a meeting" &
	HOLD_PID=$!
	wait_for "$out.tty" 'Ctrl-C to go offline'
	expect "$(wc -l <"$out.tty")" 1
	[[ $(cat "$out.tty") =~ ^xmpp-presence:\ online\ as\ $me/[^\ ]+\ \(dnd:\ in\ a\ meeting\)\;\ Ctrl-C\ to\ go\ offline$ ]]
	stop "$HOLD_PID"
	HOLD_PID=
	XMPP_JID=$you XMPP_PASSWORD=pw-${you%@*} "${on_tty[@]}" "$out.watch" \
		xmpp-presence "${server_opts[@]}" watch --json --timeout 2 >/dev/null
	grep -q "^xmpp-presence: watching presence as $you/.*; Ctrl-C to stop" "$out.watch"
	# to a pipe (a script): nothing
	run -0 --separate-stderr presence "$me" --for 1
	expect "$stderr" ""
	run -0 --separate-stderr presence "$you" watch --json --timeout 1
	expect "$stderr" ""
}

@test "watch and xmpp-listen print a presence in one shape: the same keys" {
	subscribed "$you" "$me"
	listen_bg "$you" "$out.listen" --kind presence
	WATCH_PID=$LISTEN_PID
	XMPP_JID=$you XMPP_PASSWORD=pw-${you%@*} xmpp-presence "${server_opts[@]}" -v \
		watch --json --timeout 20 >"$out" 2>"$out.err" &
	HOLD_PID=$!
	presence_acked "$out.err"
	run -0 --separate-stderr presence "$me" --once --show away --status "back soon" --priority -3
	wait_for "$out" '"show":"away"'
	wait_for "$out.listen" '"show":"away"'
	local keys='select(.show == "away") | keys_unsorted | join(",")'
	expect "$(jq -r "$keys" "$out.listen")" "$(jq -r "$keys" "$out")"
	expect "$(jq -r "$keys" "$out")" kind,type,from,to,lang,jid,resource,show,status,priority
	expect "$(jq -c 'select(.show == "away") | [.kind, .type, .jid]' "$out")" \
		"[\"presence\",\"available\",\"$me\"]"
}

@test "--text shows idle and delay times in local time with the offset (TZ); JSON keeps Z" {
	subscribed "$you" "$me"
	XMPP_JID=$you XMPP_PASSWORD=pw-${you%@*} TZ=Asia/Kolkata xmpp-presence \
		"${server_opts[@]}" -v watch --text --timeout 20 >"$out" 2>"$out.err" &
	WATCH_PID=$!
	XMPP_JID=$you XMPP_PASSWORD=pw-${you%@*} TZ=Asia/Kolkata xmpp-presence \
		"${server_opts[@]}" -v watch --json --timeout 20 >"$out.json" 2>"$out.json.err" &
	HOLD_PID=$!
	presence_acked "$out.err"
	presence_acked "$out.json.err"
	send --xml <<EOF2
<presence to='$you'><show>away</show><idle xmlns='urn:xmpp:idle:1' since='2026-01-31T12:00:00Z'/><delay xmlns='urn:xmpp:delay' stamp='2026-01-31T12:30:00.123Z'/></presence>
EOF2
	wait_for "$out" ' away'
	wait_for "$out.json" '"away"'
	grep -q "^$me/[^ ]* away, idle since 2026-01-31T17:30:00+05:30, sent 2026-01-31T18:00:00+05:30\$" "$out"
	expect "$(jq -c 'select(.show == "away") | [.idle, .delay]' "$out.json")" \
		'["2026-01-31T12:00:00Z","2026-01-31T12:30:00.123Z"]'
}
