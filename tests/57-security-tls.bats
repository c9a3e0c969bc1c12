#!/usr/bin/env bats
# TLS whatever the system allows: no version below TLS 1.2 (--tls-min 1.3
# raises the floor), a handshake that finds no common version or cipher is
# a TLS error (79) and not worth reconnecting for, and the CA files given
# are checked before anything connects.

bats_require_minimum_version 1.5.0

setup() {
	load helpers
	SERVER_PID=
	srvlog=$BATS_TEST_TMPDIR/s_server.log
	# A lax system: OpenSSL's own policy would let TLS 1.0 and weak keys by.
	lax=$BATS_TEST_TMPDIR/lax-openssl.cnf
	cat >"$lax" <<-EOF
		openssl_conf = lax_init
		[lax_init]
		ssl_conf = lax_ssl
		[lax_ssl]
		system_default = lax_system
		[lax_system]
		MinProtocol = TLSv1
		CipherString = DEFAULT@SECLEVEL=0
	EOF
}

teardown() {
	if [ -n "$SERVER_PID" ]; then
		kill "$SERVER_PID" 2>/dev/null || true
		wait "$SERVER_PID" 2>/dev/null || true
		exec 4>&-
	fi
}

# tls_server S_SERVER_OPTION...: `openssl s_server` on a free loopback port
# with the test certificate of example.test, under the lax policy; what it
# negotiates ("CIPHER is", once per handshake) and receives, and its errors
# ("ERROR", once per failed handshake), go to $srvlog. Sets PORT.
tls_server() {
	local in=$BATS_TEST_TMPDIR/s_server.in
	# its input stays open (fd 4): at its end s_server would hang up
	mkfifo "$in"
	OPENSSL_CONF=$lax openssl s_server -accept 127.0.0.1:0 \
		-cert "$XT_TEST_DIR/certs/example.test.crt" \
		-key "$XT_TEST_DIR/certs/example.test.key" "$@" \
		<"$in" >"$srvlog" 2>&1 3>&- &
	SERVER_PID=$!
	exec 4>"$in"
	wait_for "$srvlog" '^ACCEPT '
	PORT=$(sed -n 's/^ACCEPT 127\.0\.0\.1://p' "$srvlog")
}

# send_lax [OPTION...]: xmpp-send over direct TLS to the s_server, itself
# under the lax policy too, as `run --separate-stderr`; 20 s at most.
send_lax() {
	XMPP_PASSWORD=pw OPENSSL_CONF=$lax run --separate-stderr timeout 20 \
		xmpp-send -j alice@example.test --server "127.0.0.1:$PORT" \
		--direct-tls --cafile "$XT_CAFILE" --connect-timeout 3 "$@" \
		-m hi bob@example.test
}

# no_stream_over_tls: the client sent no XML through the TLS it was offered.
no_stream_over_tls() {
	if grep -q 'stream:stream' "$srvlog"; then
		printf 'the client spoke over TLS; s_server saw:\n%s\n' "$(cat "$srvlog")" >&2
		return 1
	fi
}

@test "a server offering only TLS 1.1 is refused (79), even where the system's OpenSSL allows TLS 1.1" {
	tls_server -tls1_1 -cipher DEFAULT@SECLEVEL=0
	send_lax
	[ "$status" -eq 79 ]
	one_error_line
	stderr_has "TLS version"
	no_stream_over_tls
	refute grep -q '^CIPHER is' "$srvlog"
}

@test "a server offering only TLS 1.0 is refused (79)" {
	tls_server -tls1 -cipher DEFAULT@SECLEVEL=0
	send_lax
	[ "$status" -eq 79 ]
	one_error_line
	stderr_has "TLS version"
	no_stream_over_tls
}

@test "--tls-min 1.3 refuses a server offering only TLS 1.2 (79) and says so" {
	tls_server -tls1_2
	send_lax --tls-min 1.3
	[ "$status" -eq 79 ]
	one_error_line
	stderr_has "TLS version"
	stderr_has "--tls-min 1.3"
	no_stream_over_tls
}

@test "tls-min = 1.3 in the config file refuses a server offering only TLS 1.2 (79)" {
	mkdir -p "$XDG_CONFIG_HOME/xmpp-tools"
	printf 'jid = alice@example.test\npassword = pw\ntls-min = 1.3\n' \
		>"$XDG_CONFIG_HOME/xmpp-tools/config"
	chmod 600 "$XDG_CONFIG_HOME/xmpp-tools/config"
	tls_server -tls1_2
	run --separate-stderr timeout 20 xmpp-send --server "127.0.0.1:$PORT" \
		--direct-tls --cafile "$XT_CAFILE" --connect-timeout 3 -m hi bob@example.test
	[ "$status" -eq 79 ]
	one_error_line
	stderr_has "TLS version"
}

@test "--tls-min 1.3 logs in to a server that speaks TLS 1.3" {
	rcpt=$(new_account bob)
	as "$(new_account alice)" run --separate-stderr \
		xmpp-send "${server_opts[@]}" --tls-min 1.3 -m hello "$rcpt"
	[ "$status" -eq 0 ]
}

@test "--tls-min takes 1.2 or 1.3 only (64)" {
	as alice@example.test run --separate-stderr \
		xmpp-send "${server_opts[@]}" --tls-min 1.1 -m hello bob@example.test
	[ "$status" -eq 64 ]
	one_error_line
	stderr_has "--tls-min wants 1.2 or 1.3, got '1.1'"
}

@test "a server sharing no cipher with the client is refused (79) and says so" {
	# CAMELLIA is no cipher OpenSSL offers by default
	tls_server -tls1_2 -cipher CAMELLIA128-SHA
	send_lax
	[ "$status" -eq 79 ]
	one_error_line
	stderr_has "cipher"
	no_stream_over_tls
}

@test "a TLS handshake that fails is not retried under --retry-for" {
	tls_server -tls1_2 -cipher CAMELLIA128-SHA
	t0=$SECONDS
	send_lax --retry-for 8
	[ "$status" -eq 79 ]
	one_error_line
	[ $((SECONDS - t0)) -lt 3 ]
	[ "$(grep -c '^ERROR' "$srvlog")" -eq 1 ]
}

@test "--cafile naming a missing file is an error naming the file (66)" {
	as alice@example.test run --separate-stderr \
		xmpp-send --server "$XT_C2S" --cafile /nonexistent/ca.pem -m hello bob@example.test
	[ "$status" -eq 66 ]
	one_error_line
	stderr_has "/nonexistent/ca.pem"
	stderr_has "No such file"
}

@test "--cafile=~/ca.pem, which the shell does not expand, says why the file is missing (66)" {
	cp "$XT_CAFILE" "$HOME/ca.pem"
	as alice@example.test run --separate-stderr \
		xmpp-send --server "$XT_C2S" --cafile=~/ca.pem -m hello bob@example.test
	[ "$status" -eq 66 ]
	one_error_line
	stderr_has "~/ca.pem"
	stderr_has "after '='"
}

@test "--cafile naming a file without certificates is an error naming the file (78)" {
	printf 'not a certificate\n' >"$BATS_TEST_TMPDIR/ca.pem"
	as alice@example.test run --separate-stderr xmpp-send --server "$XT_C2S" \
		--cafile "$BATS_TEST_TMPDIR/ca.pem" -m hello bob@example.test
	[ "$status" -eq 78 ]
	one_error_line
	stderr_has "cannot load the CA certificates of $BATS_TEST_TMPDIR/ca.pem"
}

@test "--capath naming a missing directory is an error naming it (66)" {
	as alice@example.test run --separate-stderr \
		xmpp-send --server "$XT_C2S" --capath /nonexistent/certs -m hello bob@example.test
	[ "$status" -eq 66 ]
	one_error_line
	stderr_has "/nonexistent/certs"
}

@test "a config file's cafile naming a missing file is an error naming the file (66)" {
	mkdir -p "$XDG_CONFIG_HOME/xmpp-tools"
	printf 'jid = alice@example.test\npassword = pw\ncafile = ~/gone.pem\n' \
		>"$XDG_CONFIG_HOME/xmpp-tools/config"
	chmod 600 "$XDG_CONFIG_HOME/xmpp-tools/config"
	run --separate-stderr xmpp-send --server "$XT_C2S" -m hello bob@example.test
	[ "$status" -eq 66 ]
	one_error_line
	stderr_has "$HOME/gone.pem"
}

# hashed_dir DIR CERT: DIR holds CERT under OpenSSL's hashed name.
hashed_dir() {
	mkdir -p "$1"
	cp "$2" "$1/$(openssl x509 -noout -hash -in "$2").0"
}

@test "--capath on the command line replaces the config file's cafile" {
	rcpt=$(new_account bob)
	jid=$(new_account alice)
	mkdir -p "$XDG_CONFIG_HOME/xmpp-tools"
	printf 'jid = %s\npassword = pw-%s\ncafile = %s\n' "$jid" "${jid%@*}" "$XT_CAFILE" \
		>"$XDG_CONFIG_HOME/xmpp-tools/config"
	chmod 600 "$XDG_CONFIG_HOME/xmpp-tools/config"
	hashed_dir "$BATS_TEST_TMPDIR/rogue" "$XT_TEST_DIR/certs/rogue-ca.crt"
	run --separate-stderr xmpp-send --server "$XT_C2S" \
		--capath "$BATS_TEST_TMPDIR/rogue" -m hello "$rcpt"
	[ "$status" -eq 79 ]
	one_error_line
	stderr_has "cannot trust"
}

@test "--cafile on the command line replaces the config file's capath" {
	rcpt=$(new_account bob)
	jid=$(new_account alice)
	hashed_dir "$BATS_TEST_TMPDIR/ca" "$XT_CAFILE"
	mkdir -p "$XDG_CONFIG_HOME/xmpp-tools"
	printf 'jid = %s\npassword = pw-%s\ncapath = %s\n' "$jid" "${jid%@*}" \
		"$BATS_TEST_TMPDIR/ca" >"$XDG_CONFIG_HOME/xmpp-tools/config"
	chmod 600 "$XDG_CONFIG_HOME/xmpp-tools/config"
	run --separate-stderr xmpp-send --server "$XT_C2S" \
		--cafile "$XT_TEST_DIR/certs/rogue-ca.crt" -m hello "$rcpt"
	[ "$status" -eq 79 ]
	one_error_line
	stderr_has "cannot trust"
	# and the config's capath alone is trusted
	run --separate-stderr xmpp-send --server "$XT_C2S" -m hello "$rcpt"
	[ "$status" -eq 0 ]
}
