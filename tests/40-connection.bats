#!/usr/bin/env bats
# The connection: TLS and certificate checks, direct TLS, servers that are
# down, silent or hang up, and how xmpp-listen stops on SIGTERM and SIGINT.

bats_require_minimum_version 1.5.0

setup() {
	load helpers
	rcpt=$(new_account bob)
	LISTEN_PID=
	SOCAT_PID=
}

teardown() {
	stop_listener
	[ -z "${PROXY_PID:-}" ] || kill "$PROXY_PID" 2>/dev/null || true
	if [ -n "$SOCAT_PID" ]; then
		kill "$SOCAT_PID" 2>/dev/null || true
		wait "$SOCAT_PID" 2>/dev/null || true
	fi
}

# free_port: a loopback port nobody listens on.
free_port() {
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

# fake_server ADDRESS [SOCAT_OPTION...]: runs socat on a free port, each
# connection handled by ADDRESS; sets PORT and SOCAT_PID once it accepts.
fake_server() {
	local i addr=$1
	shift
	PORT=$(free_port)
	socat "$@" "TCP-LISTEN:$PORT,bind=127.0.0.1,reuseaddr,fork" "$addr" \
		</dev/null >/dev/null 2>&1 &
	SOCAT_PID=$!
	for i in $(seq 1 100); do
		(exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null && return 0
		sleep 0.05
	done
	echo "socat did not listen on $PORT" >&2
	return 1
}

# fault_proxy [ARGS...]: tests/tools/faultproxy.py on a free port in front
# of the suite's server; sets PROXY_PORT and PROXY_PID once it listens.
fault_proxy() {
	PROXY_PORT=$(free_port)
	python3 "$BATS_TEST_DIRNAME/tools/faultproxy.py" "$PROXY_PORT" "${XT_C2S##*:}" "$@" \
		>"$BATS_TEST_TMPDIR/proxy.out" 2>"$BATS_TEST_TMPDIR/proxy.err" &
	PROXY_PID=$!
	wait_for "$BATS_TEST_TMPDIR/proxy.out" ready
}

# tool_lines TOOL FILE: the lines of a -v stderr FILE that TOOL printed
# itself (not the stream, not libstrophe's).
tool_lines() {
	grep "^$1: " "$2" || true
}

@test "a certificate for another name is refused (79, name mismatch, the key's fingerprint as --pin takes it)" {
	as alice@wrong.test run --separate-stderr \
		xmpp-send "${server_opts[@]}" -m hello "$rcpt"
	[ "$status" -eq 79 ]
	one_error_line
	stderr_has "name mismatch"
	stderr_has "its key is $(pin_of wrong.test);"
}

@test "the fingerprint a refused certificate is shown with is one --pin takes" {
	as alice@example.test run --separate-stderr \
		xmpp-send --server "$XT_C2S" -m hello "$rcpt"
	[ "$status" -eq 79 ]
	[[ $stderr =~ its\ key\ is\ (sha256:[A-Za-z0-9+/]{43}=)\; ]]
	as alice@example.test run -0 --separate-stderr \
		xmpp-send --server "$XT_C2S" --pin "${BASH_REMATCH[1]}" -m pinned "$rcpt"
}

@test "a certificate from an unknown CA is refused (79)" {
	as alice@untrusted.test run --separate-stderr \
		xmpp-send "${server_opts[@]}" -m hello "$rcpt"
	[ "$status" -eq 79 ]
	one_error_line
	stderr_has "untrusted.test"
}

@test "without --cafile the test CA is not trusted (79)" {
	as alice@example.test run --separate-stderr \
		xmpp-send --server "$XT_C2S" -m hello "$rcpt"
	[ "$status" -eq 79 ]
	one_error_line
}

@test "a server offering no STARTTLS is refused (79) before anything like the password is sent" {
	needs_server prosody "ejabberd sets STARTTLS per listener, not per host: the suite's ejabberd has no notls.test"
	as alice@notls.test run --separate-stderr \
		xmpp-send "${server_opts[@]}" -m hello "$rcpt"
	[ "$status" -eq 79 ]
	one_error_line
	stderr_has "STARTTLS"
	as alice@notls.test run --separate-stderr \
		xmpp-send -v "${server_opts[@]}" -m hello "$rcpt"
	[ "$status" -eq 79 ]
	# the stream was shown, and no authentication went out
	stderr_has "<stream:stream"
	if [[ $stderr == *"<auth"* || $stderr == *"pw-alice"* ]]; then
		echo "credentials were sent in clear:" >&2
		echo "$stderr" >&2
		return 1
	fi
}

@test "--pin with the server's key connects, even without the CA (the key is trusted)" {
	as alice@example.test run --separate-stderr \
		xmpp-send --server "$XT_C2S" --pin "$(pin_of example.test)" -m pinned "$rcpt"
	[ "$status" -eq 0 ]
	as alice@example.test run --separate-stderr \
		xmpp-send "${server_opts[@]}" --pin "$(pin_of example.test)" -m pinned "$rcpt"
	[ "$status" -eq 0 ]
}

@test "--pin with another key refuses the server (79) before logging in" {
	as alice@example.test run --separate-stderr \
		xmpp-send "${server_opts[@]}" --pin "$(pin_of wrong.test)" -v -m never "$rcpt"
	[ "$status" -eq 79 ]
	stderr_has "does not match --pin"
	stderr_has "its key is $(pin_of example.test)"
	[[ $stderr != *"<auth "* ]]
}

@test "--pin that is not sha256:BASE64 is a usage error (64)" {
	as alice@example.test run --separate-stderr \
		xmpp-send "${server_opts[@]}" --pin "md5:abc" -m never "$rcpt"
	[ "$status" -eq 64 ]
	one_error_line
}

@test "--insecure connects despite an untrusted certificate, with a loud warning" {
	as alice@untrusted.test run --separate-stderr \
		xmpp-send --insecure "${server_opts[@]}" -m hello "$rcpt"
	[ "$status" -eq 0 ]
	stderr_has "xmpp-send: warning: "
	stderr_has "--insecure"
	stderr_has "NOT verified"
}

@test "--direct-tls connects to the direct TLS port" {
	as alice@example.test run --separate-stderr \
		xmpp-send --direct-tls --server "$XT_C2S_TLS" --cafile "$XT_CAFILE" \
		-m hello "$rcpt"
	echo "$stderr"
	[ "$status" -eq 0 ]
}

@test "a closed port gives 69 with 'Connection refused'" {
	port=$(free_port)
	as alice@example.test run --separate-stderr \
		xmpp-send --server "127.0.0.1:$port" --cafile "$XT_CAFILE" -m hello "$rcpt"
	[ "$status" -eq 69 ]
	one_error_line
	stderr_has "Connection refused"
	stderr_has "127.0.0.1:$port"
}

@test "a server that accepts and never answers gives 75 after --connect-timeout" {
	# reads what the client sends, never writes anything back
	fake_server OPEN:/dev/null,wronly -u
	as alice@example.test run --separate-stderr \
		xmpp-send --server "127.0.0.1:$PORT" --cafile "$XT_CAFILE" \
		--connect-timeout 2 -m hello "$rcpt"
	[ "$status" -eq 75 ]
	one_error_line
}

@test "a server that hangs up at once gives an error, not a crash (STARTTLS)" {
	fake_server SYSTEM:true
	as alice@example.test run --separate-stderr \
		xmpp-send --server "127.0.0.1:$PORT" --cafile "$XT_CAFILE" \
		--connect-timeout 5 -m hello "$rcpt"
	[ "$status" -eq 69 ]	# unavailable: xmpp-tools(7)
	one_error_line
	stderr_has "closed the connection"
}

@test "a server that hangs up at once gives an error, not a crash (direct TLS)" {
	fake_server SYSTEM:true
	as alice@example.test run --separate-stderr \
		xmpp-send --direct-tls --server "127.0.0.1:$PORT" --cafile "$XT_CAFILE" \
		--connect-timeout 5 -m hello "$rcpt"
	[ "$status" -eq 69 ]	# unavailable: xmpp-tools(7)
	one_error_line
	stderr_has "closed the connection"
}

@test "a connection cut after login says the server closed it, not a stale errno" {
	local me err=$BATS_TEST_TMPDIR/err pid
	me=$(new_account alice)
	fault_proxy
	XMPP_JID=$me XMPP_PASSWORD=pw-${me%@*} xmpp-listen -v --cafile "$XT_CAFILE" \
		--server "127.0.0.1:$PROXY_PORT" >/dev/null 2>"$err" &
	pid=$!
	wait_for "$err" '^> <presence'
	kill -USR1 "$PROXY_PID"	# cut every connection
	wait_bounded "$pid" 30
	[ "$status" -eq 69 ]
	tool_lines xmpp-listen "$err" >"$err.own"
	cat "$err.own"
	[ "$(wc -l <"$err.own")" -eq 1 ]
	grep -qx "xmpp-listen: connection to 127.0.0.1:$PROXY_PORT lost: the server closed the connection" "$err.own"
}

@test "a connection cut during a --muc join is reported once, with its cause" {
	local err=$BATS_TEST_TMPDIR/err pid room=cut-$BATS_SUITE_TEST_NUMBER-$RANDOM@rooms.example.test
	fault_proxy --lag 300
	# every byte from the server comes 300 ms late: the room's answer to
	# the join is still on its way when the cut comes
	kill -TTOU "$PROXY_PID"
	as "$(new_account alice)" xmpp-send -v --cafile "$XT_CAFILE" \
		--server "127.0.0.1:$PROXY_PORT" --muc "$room" -m hello 2>"$err" &
	pid=$!
	wait_for "$err" '^> <presence'
	kill -USR1 "$PROXY_PID"
	wait_bounded "$pid" 30
	[ "$status" -eq 69 ]
	tool_lines xmpp-send "$err" >"$err.own"
	cat "$err.own"
	[ "$(wc -l <"$err.own")" -eq 1 ]
	grep -qx "xmpp-send: connection to 127.0.0.1:$PROXY_PORT lost: the server closed the connection" "$err.own"
}

@test "a domain that does not resolve: 69 naming the domain, not the JID, and the lookups" {
	as alice@nowhere.invalid run --separate-stderr xmpp-send -m hello "$rcpt"
	[ "$status" -eq 69 ]
	one_error_line
	stderr_has "cannot find the server of nowhere.invalid: no SRV record _xmpp-client._tcp and no address for nowhere.invalid"
	stderr_has "(check the domain, or give the server with --server HOST[:PORT])"
	refute grep -q alice@ <<<"$stderr"
}

@test "a --server that does not resolve: 69 naming it" {
	as alice@example.test run --separate-stderr \
		xmpp-send --server nohost.invalid:5222 -m hello "$rcpt"
	[ "$status" -eq 69 ]
	one_error_line
	stderr_has "cannot resolve the server nohost.invalid: "
	stderr_has "(check --server or the config's server)"
}

@test "STARTTLS to a direct TLS port: 69, and the message says --direct-tls" {
	as alice@example.test run --separate-stderr \
		xmpp-send --server "$XT_C2S_TLS" --cafile "$XT_CAFILE" -m hello "$rcpt"
	[ "$status" -eq 69 ]
	one_error_line
	stderr_has "$XT_C2S_TLS speaks direct TLS, not STARTTLS: use --direct-tls"
}

@test "direct TLS to a STARTTLS port: 69, and the message says to drop --direct-tls" {
	as alice@example.test run --separate-stderr \
		xmpp-send --direct-tls --server "$XT_C2S" --cafile "$XT_CAFILE" -m hello "$rcpt"
	[ "$status" -eq 69 ]
	one_error_line
	stderr_has "$XT_C2S speaks STARTTLS (plain XMPP first), not direct TLS: drop --direct-tls"
}

# stop_listener SIGNAL: signals the background xmpp-listen, checks it exits
# 0 after closing its stream.
stop_listener() {
	local rc=0
	kill "-$1" "$LISTEN_PID"
	exited "$LISTEN_PID"
	wait_bounded "$LISTEN_PID"; rc=$status
	LISTEN_PID=
	[ "$rc" -eq 0 ]
	# the stream end went out
	grep -q '^> </stream:stream>' "$BATS_TEST_TMPDIR/out.err"
}

@test "xmpp-listen closes the stream and exits 0 on SIGTERM" {
	me=$(new_account alice)
	listen_bg "$me" "$BATS_TEST_TMPDIR/out"
	stop_listener TERM
}

@test "xmpp-listen closes the stream and exits 0 on SIGINT" {
	me=$(new_account alice)
	listen_bg "$me" "$BATS_TEST_TMPDIR/out"
	stop_listener INT
}

@test "SASL picks the strongest SCRAM over PLAIN, which the server offers too" {
	local picked
	as "$(new_account sasl)" run --separate-stderr xmpp-send "${server_opts[@]}" -v -m hi "$rcpt"
	[ "$status" -eq 0 ]
	grep -q '<mechanism>PLAIN</mechanism>' <<<"$stderr"
	picked=$(sed -n 's/^> <auth [^>]*mechanism="\([^"]*\)".*/\1/p' <<<"$stderr")
	echo "picked $picked" >&3
	# libstrophe 0.12 has no channel binding; 0.13+ binds where offered
	# (Prosody 13 offers SCRAM-SHA-1-PLUS, 0.12 does not)
	if grep -q '<mechanism>SCRAM-SHA-1-PLUS</mechanism>' <<<"$stderr" &&
	   pkg-config --atleast-version=0.13 libstrophe; then
		[ "$picked" = SCRAM-SHA-1-PLUS ]
	else
		[ "$picked" = SCRAM-SHA-1 ]
	fi
}

@test "stream management: acks are asked in batches, not after every stanza" {
	seq 1 600 >"$BATS_TEST_TMPDIR/lines"
	as "$(new_account sm)" run --separate-stderr xmpp-send "${server_opts[@]}" -v --lines \
		"$rcpt" <"$BATS_TEST_TMPDIR/lines"
	[ "$status" -eq 0 ]
	grep -q "^> <enable xmlns='urn:xmpp:sm:3'/>" <<<"$stderr"
	grep -q '^< <enabled ' <<<"$stderr"
	# 600 messages: a request every 256 and one at the end, give or take
	# the pauses in the input; every 32 while the server lags a second
	# behind (ejabberd under load); never one per message
	[ "$(grep -c "^> <r xmlns='urn:xmpp:sm:3'/>" <<<"$stderr")" -le 25 ]
	[ "$(grep -c '^> <message ' <<<"$stderr")" -eq 600 ]
}

@test "without stream management, a ping round trip confirms delivery" {
	XMPP_PASSWORD=pw-alice run --separate-stderr xmpp-send "${server_opts[@]}" -v \
		--jid alice@nosm.test -m "to myself" alice@nosm.test
	[ "$status" -eq 0 ]
	refute grep -q '<enable ' <<<"$stderr"
	grep -Eq '^> <iq [^>]*id="xt-ack-[0-9]+"' <<<"$stderr"
	grep -Eq '^< <iq [^>]*id="xt-ack-[0-9]+"[^>]*type="result"|^< <iq [^>]*type="result"[^>]*id="xt-ack-' <<<"$stderr"
}
