#!/usr/bin/env bats
# What a hostile or broken server must not do to a client.

load helpers

setup() {
	port=$((XT_TEST_PORT + 7))
}

teardown() {
	[ -z "${server_pid:-}" ] || kill "$server_pid" 2>/dev/null || true
	pkill -f "OPENSSL-LISTEN:$port" 2>/dev/null || true
}

# scripted_tls_server SCRIPT: a direct-TLS server on $port, with the test
# server's own certificate, whose side of the stream is SCRIPT's output.
scripted_tls_server() {
	socat "OPENSSL-LISTEN:$port,reuseaddr,fork,cert=$XT_TEST_DIR/certs/example.test.crt,key=$XT_TEST_DIR/certs/example.test.key,verify=0" \
		SYSTEM:"$1" 2>/dev/null &
	server_pid=$!
	wait_port "$port"
}

wait_port() {
	local i
	for i in $(seq 1 100); do
		(exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}

@test "a server nesting two million elements is dropped before it eats memory" {
	cat >"$BATS_TEST_TMPDIR/nest.sh" <<'SH'
#!/bin/sh
cat >/dev/null &
printf "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' from='example.test' id='x1' version='1.0'><stream:features>"
yes '<a>' | head -n 2000000 | tr -d '\n'
sleep 5
SH
	chmod +x "$BATS_TEST_TMPDIR/nest.sh"
	scripted_tls_server "$BATS_TEST_TMPDIR/nest.sh"
	XMPP_PASSWORD=x run --separate-stderr xmpp-send -j alice@example.test \
		--server "127.0.0.1:$port" --direct-tls --cafile "$XT_CAFILE" -m hi bob@example.test
	[ "$status" -eq 76 ]
	[[ "$stderr" == "xmpp-send: 127.0.0.1:$port sent more than 64 MiB"*"protect memory" ]]
}

@test "a server that closes the stream mid-login gives an error, not a crash" {
	cat >"$BATS_TEST_TMPDIR/close.sh" <<'SH'
#!/bin/sh
printf "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' from='example.test' id='x2' version='1.0'></stream:stream>"
SH
	chmod +x "$BATS_TEST_TMPDIR/close.sh"
	scripted_tls_server "$BATS_TEST_TMPDIR/close.sh"
	XMPP_PASSWORD=x run --separate-stderr xmpp-send -j alice@example.test \
		--server "127.0.0.1:$port" --direct-tls --cafile "$XT_CAFILE" -m hi bob@example.test
	[ "$status" -eq 69 ]
	[ "${#lines[@]}" -eq 0 ]
	[[ "$stderr" == "xmpp-send: "* ]]
	[ "$(printf '%s\n' "$stderr" | wc -l)" -eq 1 ]
}

@test "a stream error from the server is reported with exit 76" {
	cat >"$BATS_TEST_TMPDIR/err.sh" <<'SH'
#!/bin/sh
printf "<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' from='example.test' id='x3' version='1.0'><stream:error><system-shutdown xmlns='urn:ietf:params:xml:ns:xmpp-streams'/><text xmlns='urn:ietf:params:xml:ns:xmpp-streams'>going down</text></stream:error></stream:stream>"
sleep 2
SH
	chmod +x "$BATS_TEST_TMPDIR/err.sh"
	scripted_tls_server "$BATS_TEST_TMPDIR/err.sh"
	XMPP_PASSWORD=x run --separate-stderr xmpp-send -j alice@example.test \
		--server "127.0.0.1:$port" --direct-tls --cafile "$XT_CAFILE" -m hi bob@example.test
	[ "$status" -eq 76 ]
	[[ "$stderr" == *"going down"* ]]
}
