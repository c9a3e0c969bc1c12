#!/usr/bin/env bats
# xmpp-check: one line per check against the suite's Prosody, for a good
# account, a broken one (wrong password, untrusted CA) and a host without
# stream management or upload service (nosm.test); and against
# tests/tools/hostile-server.py for what Prosody does not show (PLAIN, a
# certificate about to expire, a XEP-0478 stanza limit).

load helpers

# Every check a good login reports, in order.
all_checks="account login server tls certificate key sasl stream-management
resumption carbons mam upload stanza-limit omemo ox"

setup() {
	HOSTILE_PID=
}

teardown() {
	if [ -n "$HOSTILE_PID" ]; then
		kill "$HOSTILE_PID" 2>/dev/null || true
		wait "$HOSTILE_PID" 2>/dev/null || true
	fi
}

# line CHECK: the first text line of the last run for CHECK.
line() {
	grep -m1 -E "^[a-z]+ +$1: " <<<"$output"
}

@test "a good account: every line ok or a note, exit 0" {
	me=$(new_account check)
	as "$me" run -0 --separate-stderr xmpp-check "${server_opts[@]}"
	[ -z "$stderr" ]
	# each check is there; none warns or fails
	for c in $all_checks; do
		line "$c" >/dev/null || { echo "no $c line" >&2; return 1; }
	done
	refute grep -Ev '^(ok  |note) [a-z-]+: ' <<<"$output"
	[[ $(line account) == "ok   account: $me, from the environment (XMPP_JID)" ]]
	[[ $(line login) == "ok   login: logged in as $me/"* ]]
	[[ $(line server) == "ok   server: $XT_C2S, as configured "*", STARTTLS" ]]
	[[ $(line tls) =~ ^ok\ +tls:\ TLSv1\.[23],\ [A-Z] ]]
	# the chain: the server's certificate, then the suite's CA
	grep -q '^ok   certificate: 0: /CN=example.test, issued by /CN=xmpp-tools test CA ca, expires ' <<<"$output"
	grep -q '^ok   certificate: 1: /CN=xmpp-tools test CA ca, issued by /CN=xmpp-tools test CA ca' <<<"$output"
	[[ $(line sasl) == "ok   sasl: SCRAM-SHA-"* ]]
	[[ $(line stream-management) == "ok   stream-management: offered and enabled"* ]]
	[[ $(line carbons) == "ok   carbons: example.test offers message carbons"* ]]
	[[ $(line mam) == "ok   mam: $me offers a message archive"* ]]
	[[ $(line upload) == "ok   upload: upload.example.test (XEP-0363), files up to 67108864 bytes"* ]]
	# Prosody 0.12 announces no XEP-0478 limits: a note, not a failure;
	# Prosody 13 (Debian 13) announces them: ok, with the limit
	[[ $(line stanza-limit) == "note stanza-limit: not announced (XEP-0478)" ||
	   $(line stanza-limit) == "ok   stanza-limit: "* ]]
	# no device yet: encryption is opted in to, so a note that says how
	[ "$(line omemo)" = "note omemo: no OMEMO device for this account on this machine (xmpp-keys init sets one up for --encrypt omemo)" ]
}

@test "after xmpp-keys init the omemo line is ok: the device published, its fingerprint as xmpp-keys lists it" {
	me=$(new_account check)
	as "$me" run -0 xmpp-keys "${server_opts[@]}" init
	as "$me" run -0 --separate-stderr xmpp-keys "${server_opts[@]}" list --json
	id=$(jq -r .device <<<"$output") fp=$(jq -r .fingerprint <<<"$output")
	as "$me" run -0 --separate-stderr xmpp-check "${server_opts[@]}"
	[ -z "$stderr" ]
	[ "$(line omemo)" = "ok   omemo: device $id published (XEP-0384), fingerprint $fp" ]
}

@test "--json: one object per check, jq-friendly, a fix only where one is needed" {
	me=$(new_account check)
	as "$me" run -0 --separate-stderr xmpp-check "${server_opts[@]}" --json
	# every line is an object with exactly the four keys
	jq -e -s 'all(keys == ["check", "detail", "fix", "status"])' <<<"$output"
	for c in $all_checks; do
		jq -e -s --arg c "$c" 'any(.check == $c)' <<<"$output" >/dev/null ||
			{ echo "no $c object" >&2; return 1; }
	done
	jq -e -s 'all(.status == "ok" or .status == "note") and all(.fix == null)' <<<"$output"
	[ "$(jq -r 'select(.check == "upload") | .detail' <<<"$output")" = \
		"upload.example.test (XEP-0363), files up to 67108864 bytes (64.0 MiB)" ]
}

@test "the key line gives what --pin takes: xmpp-send trusts that key alone" {
	me=$(new_account check)
	as "$me" run -0 --separate-stderr xmpp-check "${server_opts[@]}" --json
	# the man page's recipe
	pin=$(jq -r 'select(.check == "key") | .detail | split(" ")[0]' <<<"$output")
	[[ $pin == sha256:* ]]
	as "$me" run -0 --separate-stderr xmpp-send --server "$XT_C2S" --pin "$pin" \
		-m "pinned" "$me"
}

@test "--direct-tls: the server line says so" {
	me=$(new_account check)
	as "$me" run -0 --separate-stderr xmpp-check --server "$XT_C2S_TLS" \
		--cafile "$XT_CAFILE" --direct-tls
	[[ $(line server) == "ok   server: $XT_C2S_TLS, as configured "*", direct TLS (XEP-0368)" ]]
	[[ $(line login) == "ok   login: "* ]]
}

@test "the account from the config file: its path and [NAME] on the account line" {
	mkdir -p "$XDG_CONFIG_HOME/xmpp-tools"
	conf=$XDG_CONFIG_HOME/xmpp-tools/config
	printf 'jid = nobody@example.test\n[work]\njid = alice@example.test\npassword = pw-alice\nserver = %s\ncafile = %s\n' \
		"$XT_C2S" "$XT_CAFILE" >"$conf"
	chmod 600 "$conf"
	run -0 --separate-stderr xmpp-check -a work
	[[ $(line account) == "ok   account: alice@example.test, from the config file $conf, account [work]" ]]
	[[ $(line server) == "ok   server: $XT_C2S, as configured "* ]]
}

@test "a wrong password: 77, the login line fails with the fix, nothing checked after it" {
	me=$(new_account check)
	XMPP_JID=$me XMPP_PASSWORD=wrong run --separate-stderr xmpp-check "${server_opts[@]}"
	[ "$status" -eq 77 ]
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[0]} == "ok   account: $me, "* ]]
	[ "${lines[1]}" = "fail login: authentication failed for $me: the server refused the password; fix: check the account and password" ]
	# the error once on stderr too, as the other tools print it
	stderr_has "xmpp-check: authentication failed for $me"
	# the same code as xmpp-send
	XMPP_JID=$me XMPP_PASSWORD=wrong run xmpp-send "${server_opts[@]}" -m x "$me"
	[ "$status" -eq 77 ]
}

@test "an untrusted CA: 79, the login line fails and says to use --cafile" {
	as alice@untrusted.test run --separate-stderr xmpp-check "${server_opts[@]}" --json
	[ "$status" -eq 79 ]
	[ "$(jq -r 'select(.check == "login") | .status' <<<"$output")" = fail ]
	jq -r 'select(.check == "login") | .detail' <<<"$output" | grep -q '^TLS: cannot trust untrusted.test: .*its key is sha256:[A-Za-z0-9+/]\{43\}='
	[ "$(jq -r 'select(.check == "login") | .fix' <<<"$output")" = "use --cafile for a private CA" ]
}

@test "no account at all: 78, the account line fails with a fix" {
	run --separate-stderr xmpp-check
	[ "$status" -eq 78 ]
	[[ $output == "fail account: no usable account"*"; fix: see xmpp-tools(7)"* ]]
	stderr_has "no account"
}

@test "a host without stream management or upload service: warn lines with fixes, exit 0" {
	as alice@nosm.test run -0 --separate-stderr xmpp-check "${server_opts[@]}"
	[[ $(line stream-management) == "warn stream-management: not offered (XEP-0198)"*"; fix: enable XEP-0198 on the server (Prosody: mod_smacks"* ]]
	[[ $(line resumption) == "note resumption: "* ]]
	[[ $(line upload) == "warn upload: nosm.test offers no HTTP upload service (XEP-0363)"*"; fix: add an upload service"* ]]
	# the rest as on a good host
	[[ $(line carbons) == "ok   carbons: "* ]]
	[[ $(line mam) == "ok   mam: "* ]]
	# the man page's recipe: only what needs attention
	as alice@nosm.test run -0 bash -c "xmpp-check ${server_opts[*]} --json |
		jq -r 'select(.status == \"warn\" or .status == \"fail\") | \"\(.check): \(.fix)\"'"
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[0]} == "stream-management: enable XEP-0198"* ]]
	[[ ${lines[1]} == "upload: add an upload service"* ]]
}

@test "SASL PLAIN and a certificate expiring within 14 days are warnings with fixes; an announced stanza limit is shown" {
	local d=$BATS_TEST_TMPDIR
	# a certificate for example.test from the suite's CA, valid 10 more days
	openssl req -new -newkey rsa:2048 -nodes -subj /CN=example.test \
		-keyout "$d/soon.key" -out "$d/soon.csr" 2>/dev/null
	printf 'subjectAltName=DNS:example.test\n' >"$d/soon.ext"
	openssl x509 -req -in "$d/soon.csr" -CA "$XT_TEST_DIR/certs/ca.crt" \
		-CAkey "$XT_TEST_DIR/certs/ca.key" -CAcreateserial -days 10 \
		-extfile "$d/soon.ext" -out "$d/soon.crt" 2>/dev/null
	# hostile-server.py's well-behaved server: SASL PLAIN, no features
	/usr/bin/python3 "$BATS_TEST_DIRNAME/tools/hostile-server.py" --lifetime 60 \
		--cert "$d/soon.crt" --key "$d/soon.key" --limits 10000 ok >"$d/port" 2>"$d/server.log" &
	HOSTILE_PID=$!
	wait_lines "$d/port" 1
	XMPP_PASSWORD=pw run -0 --separate-stderr xmpp-check -j alice@example.test \
		--server "127.0.0.1:$(cat "$d/port")" --cafile "$XT_CAFILE" --connect-timeout 5
	local soon='^warn certificate: 0: /CN=example.test, .*[(]in (9|10) days[)]; fix: renew it before '
	[[ $(line certificate) =~ $soon ]]
	[[ $(line sasl) == "warn sasl: PLAIN: "*"; fix: ask the server's admin for SCRAM-SHA-256"* ]]
	[ "$(line stanza-limit)" = "ok   stanza-limit: 10000 bytes (XEP-0478)" ]
}
