#!/usr/bin/env bats
# What a hostile server must not do to a client: each test has
# tests/tools/hostile-server.py play one scenario (see its header) over a
# TLS connection the client verifies with the test CA, and checks that
# xmpp-send ends soon, with one clear error and the exit code of
# xmpp-tools(7), without a crash, without eating memory, and without ever
# sending the password in clear.

load helpers

password=pw-Hostile-S3cret

setup() {
	HOSTILE_PID=
	rec=$BATS_TEST_TMPDIR/rec
}

teardown() {
	if [ -n "$HOSTILE_PID" ]; then
		kill "$HOSTILE_PID" 2>/dev/null || true
		wait "$HOSTILE_PID" 2>/dev/null || true
	fi
}

# hostile SCENARIO [SERVER_OPTION...]: starts the hostile server, recording
# what the client sends to $rec.plain and $rec.tls; sets PORT.
hostile() {
	# emptied here, not only by the child's redirection: a second server in
	# one test would otherwise be read the first one's port
	: >"$BATS_TEST_TMPDIR/port"
	python3 "$BATS_TEST_DIRNAME/tools/hostile-server.py" --record "$rec" \
		--password "$password" --lifetime 60 "$@" \
		>"$BATS_TEST_TMPDIR/port" 2>"$BATS_TEST_TMPDIR/server.log" &
	HOSTILE_PID=$!
	wait_lines "$BATS_TEST_TMPDIR/port" 1
	PORT=$(cat "$BATS_TEST_TMPDIR/port")
}

# send_hostile [OPTION...]: xmpp-send -m hi as alice@example.test through
# the hostile server, under `run --separate-stderr`; 20 s at most, whatever
# the client does. Sets SECONDS_TAKEN and PEAK_KB (peak RSS).
send_hostile() {
	local t0=$SECONDS
	XMPP_PASSWORD=$password run --separate-stderr \
		/usr/bin/time -o "$BATS_TEST_TMPDIR/rss" -f %M timeout 20 \
		xmpp-send -j alice@example.test --server "127.0.0.1:$PORT" \
		--cafile "$XT_CAFILE" --connect-timeout 2 "$@" -m hi bob@example.test
	SECONDS_TAKEN=$((SECONDS - t0))
	PEAK_KB=$(tail -n 1 "$BATS_TEST_TMPDIR/rss")
}

# ended_cleanly: the client exited by itself, with an error, not a signal.
ended_cleanly() {
	if [ "$status" -eq 124 ] || [ "$status" -ge 128 ] || [ "$status" -eq 0 ]; then
		printf 'expected an error exit, got %s; stderr:\n%s\n' "$status" "$stderr" >&2
		return 1
	fi
}

# memory_bounded: peak RSS under 200 MB.
memory_bounded() {
	echo "$PEAK_KB" >"$BATS_TEST_TMPDIR/peak"
	rss_under 200000 "$BATS_TEST_TMPDIR/peak"
}

# no_credentials_in FILE: FILE, the server's recording, holds neither the
# password nor its base64 forms, nor any SASL <auth/>. No recording proves
# nothing: that fails too.
no_credentials_in() {
	local plain
	plain=$(printf '\0alice\0%s' "$password" | base64 -w0)
	if [ ! -e "$1" ]; then
		echo "no recording $1: the server saw nothing?" >&2
		return 1
	fi
	if grep -aqF -e "$password" -e "$plain" -e "$(printf %s "$password" | base64 -w0)" \
		-e '<auth' "$1"; then
		echo "credentials sent in clear:" >&2
		cat -v "$1" >&2
		return 1
	fi
}

@test "a well-behaved scripted server takes the message, over STARTTLS and direct TLS" {
	hostile ok
	send_hostile
	[ "$status" -eq 0 ]
	grep -q '<body>hi</body>' "$rec.tls"
	grep -Eq '<iq [^>]*id="xt-ack-[0-9]+"' "$rec.tls"
	no_credentials_in "$rec.plain"
	grep -q '<starttls' "$rec.plain"
	kill "$HOSTILE_PID"
	hostile ok --direct-tls
	send_hostile --direct-tls
	[ "$status" -eq 0 ]
}

@test "SCRAM-SHA-1 against the scripted server logs in (the SCRAM baseline)" {
	hostile scram-ok
	send_hostile
	[ "$status" -eq 0 ]
	grep -q '<auth mechanism="SCRAM-SHA-1"' "$rec.tls"
}

@test "a message nested without end after login is dropped at the 64 MiB guard" {
	hostile nesting
	send_hostile
	[ "$status" -eq 80 ]
	stderr_has "127.0.0.1:$PORT sent more than 64 MiB"
	stderr_has "dropped to protect memory"
	memory_bounded
}

@test "a message body without end after login is dropped at the 1 MiB text limit, soon" {
	hostile oversized
	send_hostile
	[ "$status" -eq 80 ]
	stderr_has "127.0.0.1:$PORT sent a stanza with more than 1 MiB of text"
	memory_bounded
	[ "$SECONDS_TAKEN" -le 5 ]
}

@test "invalid UTF-8 in the stream features is a protocol error (76)" {
	hostile utf8-features
	send_hostile
	ended_cleanly
	one_error_line
	[ "$status" -eq 76 ]
	stderr_has "invalid XML"
}

@test "invalid UTF-8 in a stanza after login ends the connection at once" {
	hostile utf8-stanza
	send_hostile --timeout 8
	ended_cleanly
	[ "$status" -eq 80 ]
	[ "$SECONDS_TAKEN" -le 4 ]
	stderr_has "invalid XML"
}

@test "a DOCTYPE with an entity in the stream is refused (RFC 6120 11.1)" {
	hostile doctype
	send_hostile
	ended_cleanly
	one_error_line
	[ "$status" -eq 76 ]
	stderr_has "DTD"
}

@test "billion laughs in the stream neither expands nor burns CPU" {
	hostile laughs
	send_hostile
	ended_cleanly
	one_error_line
	[ "$status" -eq 76 ]
	[ "$SECONDS_TAKEN" -le 3 ]
	memory_bounded
}

@test "a connection cut in the middle of the features gives 69, not a crash" {
	hostile cut-login
	send_hostile
	[ "$status" -eq 69 ]
	one_error_line
	stderr_has "127.0.0.1:$PORT closed the connection during login"
}

@test "a connection cut in the middle of a stanza after login gives 80, not a crash" {
	hostile cut-stanza
	send_hostile
	[ "$status" -eq 80 ]
	stderr_has "connection to 127.0.0.1:$PORT lost"
	[ "$SECONDS_TAKEN" -le 3 ]
}

@test "a SCRAM challenge with a nonce not the client's is refused before any proof" {
	hostile scram-nonce
	send_hostile
	[ "$status" -eq 76 ]
	one_error_line
	[ "$(grep -c '<response' "$rec.tls")" -eq 0 ]
}

@test "a malformed SCRAM challenge is a protocol error (76)" {
	hostile scram-malformed
	send_hostile
	ended_cleanly
	one_error_line
	[ "$status" -eq 76 ]
}

@test "a SCRAM challenge that is not base64 is a protocol error (76)" {
	hostile scram-base64
	send_hostile
	ended_cleanly
	one_error_line
	[ "$status" -eq 76 ]
}

@test "a SCRAM challenge asking for 2000000000 iterations is refused at once" {
	hostile scram-iterations
	send_hostile
	[ "$status" -eq 76 ]
	one_error_line
	[ "$SECONDS_TAKEN" -le 3 ]
}

@test "a wrong SCRAM server signature means not logged in (77), nothing sent" {
	hostile scram-signature
	send_hostile
	[ "$status" -eq 77 ]
	one_error_line
	[ "$(grep -c '<message' "$rec.tls")" -eq 0 ]
}

@test "a server silent after its stream header gives 75 after --connect-timeout" {
	hostile stall-header
	send_hostile
	[ "$status" -eq 75 ]
	one_error_line
	[ "$SECONDS_TAKEN" -le 4 ]
}

@test "a server that never starts TLS after <proceed/> gives 75 after --connect-timeout" {
	hostile stall-proceed
	send_hostile
	[ "$status" -eq 75 ]
	one_error_line
	[ "$SECONDS_TAKEN" -le 4 ]
}

@test "a server that stops in the middle of the TLS handshake gives 75 (STARTTLS and direct TLS)" {
	hostile stall-tls
	send_hostile
	[ "$status" -eq 75 ]
	one_error_line
	kill "$HOSTILE_PID"
	hostile stall-proceed --direct-tls
	send_hostile --direct-tls
	[ "$status" -eq 75 ]
	one_error_line
}

@test "a STARTTLS <failure/> gets no credentials and gives 79" {
	hostile starttls-failure
	send_hostile
	ended_cleanly
	one_error_line
	no_credentials_in "$rec.plain"
	[ ! -e "$rec.tls" ]
	[ "$status" -eq 79 ]
	stderr_has "STARTTLS"
}

@test "a server offering only PLAIN without TLS gets no credentials (79)" {
	hostile plain-only
	send_hostile
	[ "$status" -eq 79 ]
	one_error_line
	stderr_has "STARTTLS"
	no_credentials_in "$rec.plain"
	[ ! -e "$rec.tls" ]
}

@test "a bounce after the server's ack (remote-server-not-found) is a partial failure (80)" {
	hostile late-bounce
	XMPP_PASSWORD=$password run --separate-stderr xmpp-send -j alice@example.test \
		--server "127.0.0.1:$PORT" --cafile "$XT_CAFILE" -m hi carol@elsewhere.test
	[ "$status" -eq 80 ]
	stderr_has "message to carol@elsewhere.test: rejected by the server: remote-server-not-found"
	# --bounce-wait 0: the ack is all it waits for
	XMPP_PASSWORD=$password run --separate-stderr xmpp-send -j alice@example.test \
		--server "127.0.0.1:$PORT" --cafile "$XT_CAFILE" --bounce-wait 0 -m hi carol@elsewhere.test
	[ "$status" -eq 0 ]
}

# What the SCRAM checks must hold on every libstrophe: 0.12 starts its
# first message with "n,,", 0.13+ with "y,," on TLS (or "p=tls-exporter,,"
# with -PLUS); each hash has its own signature; a check that cannot run
# refuses the login.

# sasl_used: the mechanism the client picked, as the scripted server saw it.
sasl_used() {
	sed -n 's/^hostile-server: SASL //p' "$BATS_TEST_TMPDIR/server.log" | tail -n 1
}

@test "SCRAM-SHA-256 against the scripted server logs in" {
	hostile scram-ok --scram SCRAM-SHA-256
	send_hostile
	[ "$status" -eq 0 ]
	[ "$(sasl_used)" = SCRAM-SHA-256 ]
}

@test "a wrong SCRAM-SHA-256 server signature means not logged in (77)" {
	hostile scram-signature --scram SCRAM-SHA-256
	send_hostile
	[ "$status" -eq 77 ]
	one_error_line
	stderr_has "signature is wrong"
	[ -e "$rec.tls" ]
	[ "$(grep -c '<message' "$rec.tls")" -eq 0 ]
}

@test "with -PLUS offered, the strongest SCRAM this libstrophe has logs in and is checked" {
	hostile scram-ok --scram "SCRAM-SHA-1-PLUS SCRAM-SHA-1"
	send_hostile
	[ "$status" -eq 0 ]
	echo "libstrophe picked $(sasl_used)" >&3
	case "$(sasl_used)" in SCRAM-SHA-1|SCRAM-SHA-1-PLUS) ;; *) false ;; esac
}

@test "with -PLUS offered, a wrong server signature means not logged in (77)" {
	hostile scram-signature --scram "SCRAM-SHA-1-PLUS SCRAM-SHA-1"
	send_hostile
	[ "$status" -eq 77 ]
	one_error_line
	[ -e "$rec.tls" ]
	[ "$(grep -c '<message' "$rec.tls")" -eq 0 ]
}

@test "a SCRAM <success/> without the server's signature means not logged in (77)" {
	hostile scram-nosig
	send_hostile
	[ "$status" -eq 77 ]
	one_error_line
	stderr_has "without its signature"
	[ -e "$rec.tls" ]
	[ "$(grep -c '<message' "$rec.tls")" -eq 0 ]
}

@test "a SCRAM <success/> before any challenge means not logged in (77)" {
	hostile scram-skip
	send_hostile
	[ "$status" -eq 77 ]
	one_error_line
	[ -e "$rec.tls" ]
	[ "$(grep -c '<message' "$rec.tls")" -eq 0 ]
}

@test "a server that skips SASL altogether gets no message" {
	hostile skip-sasl
	send_hostile
	# libstrophe 0.12 goes on without SASL, which the tools refuse (77, as
	# xmpp-tools(7) says of a login whose SASL was not seen); 0.14 waits
	# for mechanisms that never come, until --connect-timeout (75)
	[ "$status" -eq 77 ] || [ "$status" -eq 75 ]
	one_error_line
	[ -e "$rec.tls" ]
	[ "$(grep -c '<message' "$rec.tls")" -eq 0 ]
}

# The downgrade: an impostor holding a valid certificate offers only PLAIN
# (inside TLS) to an account that logged in with SCRAM before.

@test "an account that did SCRAM before does not send its password to a PLAIN-only server (77)" {
	hostile scram-ok
	send_hostile
	[ "$status" -eq 0 ]
	kill "$HOSTILE_PID"
	rec=$BATS_TEST_TMPDIR/rec2
	hostile ok
	send_hostile
	[ "$status" -eq 77 ]
	one_error_line
	stderr_has "offers no SCRAM, only PLAIN, but alice@example.test logged in with SCRAM-SHA-1 before"
	stderr_has "--allow-plain"
	[ -e "$rec.tls" ]
	no_credentials_in "$rec.tls"
}

@test "--allow-plain (or allow-plain = yes) lets such an account log in with PLAIN" {
	hostile scram-ok
	send_hostile
	[ "$status" -eq 0 ]
	kill "$HOSTILE_PID"
	hostile ok
	send_hostile --allow-plain
	[ "$status" -eq 0 ]
	mkdir -p "$XDG_CONFIG_HOME/xmpp-tools"
	printf 'jid = alice@example.test\nallow-plain = yes\n' >"$XDG_CONFIG_HOME/xmpp-tools/config"
	chmod 600 "$XDG_CONFIG_HOME/xmpp-tools/config"
	send_hostile
	[ "$status" -eq 0 ]
}

@test "an account new to this machine may use PLAIN over TLS" {
	hostile ok
	send_hostile
	[ "$status" -eq 0 ]
	[ ! -e "$HOME/.local/state/xmpp-tools/sasl/alice@example.test" ]
}

# --pin, over both ways to TLS: the key is compared right after the
# handshake (strophe-glue.c), before the client sends anything in TLS.

@test "--pin with the server's key logs in over STARTTLS and direct TLS (its check ran)" {
	hostile ok
	send_hostile --pin "$(pin_of example.test)"
	[ "$status" -eq 0 ]
	grep -q '<body>hi</body>' "$rec.tls"
	kill "$HOSTILE_PID"
	rec=$BATS_TEST_TMPDIR/rec2
	hostile ok --direct-tls
	send_hostile --direct-tls --pin "$(pin_of example.test)"
	[ "$status" -eq 0 ]
	grep -q '<body>hi</body>' "$rec.tls"
}

# pin_refused_both PIN MESSAGE: over STARTTLS, then over direct TLS, a
# login with --pin PIN is refused (79) with MESSAGE, and nothing at all was
# sent inside TLS (nor credentials before it).
pin_refused_both() {
	local tls
	for tls in "" --direct-tls; do
		rec=$BATS_TEST_TMPDIR/rec$tls
		hostile ok $tls
		send_hostile $tls --pin "$1"
		[ "$status" -eq 79 ]
		[ ! -s "$rec.tls" ]
		one_error_line
		stderr_has "$2"
		[ -n "$tls" ] || no_credentials_in "$rec.plain"
		kill "$HOSTILE_PID"
		wait "$HOSTILE_PID" 2>/dev/null || true
	done
	HOSTILE_PID=
}

@test "a wrong --pin is refused (79) over STARTTLS and direct TLS, nothing sent in TLS" {
	pin_refused_both "$(pin_of wrong.test)" "does not match --pin"
}

# The hooks of strophe-glue.c fail closed: tests/tools/strophe-shim.c,
# preloaded, plays a libstrophe that words a log line otherwise (so the
# hook riding on it never runs) or is of another version.

# shim VAR=VALUE: exports VAR for the tool, with the shim preloaded.
shim() {
	cc -shared -fPIC -o "$BATS_TEST_TMPDIR/shim.so" \
		"$BATS_TEST_DIRNAME/tools/strophe-shim.c" -ldl
	# under check-sanitize ASan wants its runtime first among the preloads;
	# putting it there would load it into every program the test starts
	# (python, time), so the tools are told the shim may come first
	if built_with_asan; then
		export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
	fi
	export LD_PRELOAD=$BATS_TEST_TMPDIR/shim.so "${1?}"
}

@test "--pin whose check did not run (no certificate log line) fails closed (79) over both TLS" {
	shim REWORD_HIDE=Subject=
	pin_refused_both "$(pin_of example.test)" "before the server's key was compared with --pin"
}

@test "SCRAM whose challenge was not seen fails closed (77): no signature to check" {
	shim "REWORD_HIDE=RECV: <challenge"
	hostile scram-ok
	send_hostile
	[ "$status" -eq 77 ]
	one_error_line
	stderr_has "first SCRAM message was not seen"
	[ "$(grep -c '<message' "$rec.tls")" -eq 0 ]
}

@test "SCRAM whose server-final message was not seen fails closed (77)" {
	shim "REWORD_HIDE=RECV: <success"
	hostile scram-ok
	send_hostile
	[ "$status" -eq 77 ]
	one_error_line
	stderr_has "could not be checked"
	[ "$(grep -c '<message' "$rec.tls")" -eq 0 ]
}

@test "a libstrophe older than the one built with is refused (70) before connecting" {
	shim STROPHE_MINOR=11
	hostile ok
	send_hostile
	[ "$status" -eq 70 ]
	one_error_line
	built=$(pkg-config --modversion libstrophe | cut -d. -f1,2)
	stderr_has "libstrophe: the library loaded is 0.11, older than the $built this program was built with"
	[ ! -e "$rec.plain" ]
}

@test "a libstrophe newer than the one built with is taken" {
	shim STROPHE_MINOR=20
	hostile ok
	send_hostile
	[ "$status" -eq 0 ]
}

@test "a room message is confirmed only by its reflection from our own nick, never by a forgery" {
	local room=room@rooms.example.test
	hostile muc-forged
	# the scripted room reflects a message as rooms do: that confirms it
	XMPP_PASSWORD=$password run -0 --separate-stderr timeout 20 xmpp-send -j alice@example.test \
		--server "127.0.0.1:$PORT" --cafile "$XT_CAFILE" --muc "$room" -m genuine
	# with only forgeries of it (another occupant, the bare room, another
	# room under our nick, an error from another user), nothing confirms
	XMPP_PASSWORD=$password run --separate-stderr timeout 20 xmpp-send -j alice@example.test \
		--server "127.0.0.1:$PORT" --cafile "$XT_CAFILE" --confirm-timeout 2 \
		--muc "$room" -m forged
	[ "$status" -eq 80 ]
	one_error_line
	stderr_has "message to $room: the room did not confirm it: no reflection within 2 s (--confirm-timeout)"
}

@test "--since as an account written in other case: its archive's result is taken, once" {
	hostile mam-case
	# RFC 7622: the server stamps the result with bob@example.test; the
	# account is written Bob@Example.TEST. Asked twice (before and after
	# presence), the archive gives the same result: printed once.
	XMPP_PASSWORD=$password run -0 --separate-stderr timeout 20 xmpp-listen \
		-j Bob@Example.TEST --server "127.0.0.1:$PORT" --cafile "$XT_CAFILE" \
		-v --json --since 1h --timeout 4
	[ "${#lines[@]}" -eq 1 ]
	[ "$(jq -r '[.body, .archived, .archive_id] | join(" ")' <<<"$output")" = "archived true archived-1" ]
	[[ $stderr != *"not from the archive asked"* ]]
}
