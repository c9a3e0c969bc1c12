#!/usr/bin/env bats
# xmpp-s2s-probe against its own loopback world (tests/s2s-env.sh): a signed
# test. zone served by a local unbound, a second Prosody with s2s and one
# VirtualHost per case, and a scripted server for what Prosody will not do.
# Every domain is named after what it exercises.

bats_require_minimum_version 1.5.0

setup_file() {
	local dir=$BATS_FILE_TMPDIR/s2s
	"$BATS_TEST_DIRNAME/s2s-env.sh" start "$dir" >"$BATS_FILE_TMPDIR/env.log" 2>&1 || {
		cat "$BATS_FILE_TMPDIR/env.log" >&2
		return 1
	}
	"$BATS_TEST_DIRNAME/s2s-env.sh" env "$dir" >"$BATS_FILE_TMPDIR/env"
}

teardown_file() {
	"$BATS_TEST_DIRNAME/s2s-env.sh" stop "$BATS_FILE_TMPDIR/s2s"
}

setup() {
	load helpers
	set -a
	. "$BATS_FILE_TMPDIR/env"
	set +a
}

# probe ARGS...: the tool, asking the test DNS server, validating with the
# test zone's anchor, trusting the test CA.
probe() {
	xmpp-s2s-probe --dns-server "$XT_S2S_DNS" --trust-anchor "$XT_S2S_ANCHOR" \
		--cafile "$XT_S2S_CAFILE" --connect-timeout 5 "$@"
}

# jqo FILTER: jq -r FILTER on the last run's output.
jqo() {
	jq -r "$1" <<<"$output"
}

# check_status NAME: the status of the first check NAME in the JSON output.
check_status() {
	jqo "[.. | objects | select(.check? == \"$1\") | .status][0]"
}

# check_message NAME
check_message() {
	jqo "[.. | objects | select(.check? == \"$1\") | .message][0]"
}

@test "a correct domain passes every check, in text for people" {
	run -0 --separate-stderr probe good.test
	[ "${lines[0]}" = "good.test: pass" ]
	[[ $output == *"pass  cert.identity"* ]]
	[[ $output == *"pass  dane"* ]]
	[[ $output != *"fail  "* ]]
	[ -z "$stderr" ]
}

@test "--json: one object with every record, target, address and check" {
	run -0 probe --json good.test
	[ "${#lines[@]}" -eq 1 ]
	[ "$(jqo .domain)" = good.test ]
	[ "$(jqo .status)" = pass ]
	[ "$(jqo .dnssec)" = secure ]
	[ "$(jqo '.problems | length')" = 0 ]
	[ "$(jqo '[.srv[].service] | sort | join(",")')" = "xmpp-server,xmpps-server" ]
	[ "$(jqo '.srv[0].target')" = xmpp.good.test ]
	[ "$(jqo '.srv | map(.port) | index('"$XT_S2S_PORT"') != null')" = true ]
	t='.targets[] | select(.direct_tls == false)'
	[ "$(jqo "$t | .source")" = srv ]
	[ "$(jqo "$t | .dane")" = secure ]
	[ "$(jqo "$t | .tlsa[0].usage")" = 3 ]
	[ "$(jqo "$t | .tlsa[0].match")" = true ]
	a="$t | .addresses[] | select(.family == \"ipv4\")"
	[ "$(jqo "$a | .address")" = 127.0.0.1 ]
	[ "$(jqo "$a | .connect_ms >= 0")" = true ]
	[ "$(jqo "$a | .stream.version")" = 1.0 ]
	[ "$(jqo "$a | .features.starttls_required")" = true ]
	[ "$(jqo "$a | .features.dialback")" = true ]
	[[ $(jqo "$a | .tls.protocol") == TLSv1.[23] ]]
	[ "$(jqo "$a | .tls.versions.TLSv1")" = false ]
	[ "$(jqo "$a | .tls.versions[\"TLSv1.2\"]")" = true ]
	[ "$(jqo "$a | .certificate.verified")" = true ]
	[ "$(jqo "$a | .certificate.identity")" = dns-id ]
	[ "$(jqo "$a | .certificate.dns_names[0]")" = good.test ]
	[ "$(jqo "$a | .certificate.xmpp_addrs[0]")" = good.test ]
	[ "$(jqo "$a | .certificate.srv_names[0]")" = _xmpp-server.good.test ]
	[ "$(jqo "$a | .certificate.days_left > 14")" = true ]
	# fingerprints as every tool prints them, sha256:BASE64; the key's is
	# the one the TLSA 3 1 1 record holds in hex
	[[ $(jqo "$a | .certificate.sha256") =~ ^sha256:[A-Za-z0-9+/]{43}=$ ]]
	[ "$(jqo "$a | .certificate.key_sha256")" = \
		"sha256:$(jqo "$a | .certificate.tlsa_record" | awk '{ print $NF }' | xxd -r -p | base64)" ]
	[ "$(jqo "$a | [.checks[].status] | unique | join(\",\")")" = pass ]
	for c in connect stream starttls tls tls.versions cert.chain cert.identity \
		cert.expiry cert.key cert.signature dane features; do
		[ "$(jqo "$a | [.checks[] | select(.check == \"$c\")] | length")" = 1 ] ||
			{ echo "no check $c" >&2; return 1; }
	done
}

@test "a direct-TLS target (XEP-0368) is probed with TLS from the first byte" {
	run -0 probe --json directtls.test
	[ "$(jqo '.targets[0].direct_tls')" = true ]
	[ "$(jqo '.srv[0].service')" = xmpps-server ]
	[ "$(jqo '.targets[0].addresses[0].certificate.identity')" = dns-id ]
	[ "$(jqo '.targets[0].addresses[0].features.dialback')" = true ]
}

@test "an SRV target on a dead port fails to connect, with the fix" {
	run -1 probe --json dead.test
	[ "$(jqo .status)" = fail ]
	[ "$(check_status connect)" = fail ]
	[[ $(check_message connect) == *"refused"* ]]
	[[ $(jqo '.problems[0].fix') == *"listens"* ]]
	run -1 probe dead.test
	[[ $output == *"fail  connect"* ]]
	[[ $output == *"fix connect at xmpp.dead.test:$XT_S2S_DEAD_PORT 127.0.0.1: "* ]]
}

@test "no SRV records: the domain's own address on port 5269" {
	run probe --json nosrv.test
	[ "$(jqo '.srv | length')" = 0 ]
	[ "$(jqo '.targets[0].source')" = fallback ]
	[ "$(jqo '.targets[0].host')" = nosrv.test ]
	[ "$(jqo '.targets[0].port')" = 5269 ]
	[[ $(check_message dns.srv) == *"no SRV records"* ]]
	if [ "$XT_S2S_HAS_5269" = 1 ]; then
		[ "$status" -eq 0 ]
		[ "$(jqo .status)" = pass ]
	fi
}

@test "an SRV target of '.' means the domain declares no service" {
	run -1 probe --json unavailable.test
	[ "$(check_status dns.unavailable)" = fail ]
	[ "$(jqo '.targets | length')" = 0 ]
}

@test "a domain that does not exist" {
	run -1 probe --json missing.test
	[ "$(check_status dns.srv)" = fail ]
	[[ $(check_message dns.srv) == *"does not exist"* ]]
}

@test "an SRV target that is a CNAME warns; --strict makes it a problem" {
	run -0 probe --json cname.test
	[ "$(jqo .status)" = warn ]
	[ "$(check_status dns.cname)" = warn ]
	[ "$(jqo '.targets[0].cname')" = xmpp.good.test ]
	run -1 probe --strict cname.test
}

@test "a certificate for another name: the names it has, and what to do" {
	run -1 probe --json wrongname.test
	[ "$(check_status cert.identity)" = fail ]
	[[ $(check_message cert.identity) == *"does not cover wrongname.test"*"other.example"* ]]
	[ "$(jqo '.targets[0].addresses[0].certificate.identity')" = null ]
}

@test "an expired certificate" {
	run -1 probe --json expired.test
	[ "$(check_status cert.expiry)" = fail ]
	[[ $(check_message cert.expiry) == "expired on "* ]]
	[ "$(jqo '.targets[0].addresses[0].certificate.days_left < 0')" = true ]
}

@test "a certificate from an unknown CA" {
	run -1 probe --json unknownca.test
	[ "$(check_status cert.chain)" = fail ]
	[[ $(check_message cert.chain) == "unknown issuer"* ]]
	[ "$(jqo '.targets[0].addresses[0].certificate.verified')" = false ]
}

@test "with the test CA in the system store, no --cafile: the chain is trusted" {
	system_trust_mode "$XT_S2S_CAFILE"
	run -0 --separate-stderr system_trust xmpp-s2s-probe --dns-server "$XT_S2S_DNS" \
		--trust-anchor "$XT_S2S_ANCHOR" --connect-timeout 5 --json good.test
	[ "$(check_status cert.chain)" = pass ]
	[ "$(jqo '.targets[0].addresses[0].certificate.verified')" = true ]
	# and outside the namespace it is not
	run -1 --separate-stderr env -u SSL_CERT_FILE -u SSL_CERT_DIR xmpp-s2s-probe \
		--dns-server "$XT_S2S_DNS" --trust-anchor "$XT_S2S_ANCHOR" --connect-timeout 5 \
		--json good.test
	[ "$(check_status cert.chain)" = fail ]
}

@test "a missing intermediate is named as such; the full chain passes" {
	run -1 probe --json nointermediate.test
	[ "$(check_status cert.chain)" = fail ]
	[[ $(check_message cert.chain) == "incomplete chain"* ]]
	run -0 probe --json chain.test
	[ "$(check_status cert.chain)" = pass ]
	[ "$(jqo '.targets[0].addresses[0].certificate.chain_sent')" = 2 ]
}

@test "IPv6: a target on ::1; -4 finds no address for it" {
	[ "$XT_S2S_V6" = 1 ] || skip "no IPv6 loopback here"
	run -0 probe --json v6.test
	[ "$(jqo '.targets[0].addresses[0].address')" = ::1 ]
	[ "$(jqo '.targets[0].addresses[0].family')" = ipv6 ]
	run -1 probe --json -4 v6.test
	[ "$(check_status dns.address)" = fail ]
}

@test "DANE: a TLSA record that does not match fails" {
	run -1 probe --json tlsabad.test
	[ "$(check_status dane)" = fail ]
	[ "$(jqo '.targets[0].dane')" = mismatch ]
	[ "$(jqo '.targets[0].tlsa[0].match')" = false ]
}

@test "DANE counts as secure only when DNSSEC-validated" {
	run -0 probe --json --trust-anchor none good.test
	[ "$(jqo .dnssec)" = insecure ]
	[ "$(check_status dane)" = warn ]
	[ "$(jqo '.targets[0].dane')" = insecure ]
}

@test "without DNSSEC validation the DANE fix says how to validate, not to sign the zone" {
	run -0 probe --no-tls-versions --trust-anchor none good.test
	[[ $output == *"fix dane at "*"--trust-anchor"* ]]
	[[ $output != *"sign the zone"* ]]
}

@test "a host that accepts TCP and never answers times out; the others are still reported, in order" {
	run -1 probe --json --connect-timeout 2 silent.test good.test
	[ "${#lines[@]}" -eq 2 ]
	[ "$(jq -r .domain <<<"${lines[0]}")" = silent.test ]
	[ "$(jq -r .status <<<"${lines[0]}")" = fail ]
	[[ $(jq -r '.problems[0].message' <<<"${lines[0]}") == *"within 2 s"* ]]
	[ "$(jq -r .domain <<<"${lines[1]}")" = good.test ]
	[ "$(jq -r .status <<<"${lines[1]}")" = pass ]
}

@test "--timeout S is the whole run's deadline: a silent host ends the run by S, 75, named once" {
	local start=$SECONDS
	run -75 --separate-stderr timeout 20 xmpp-s2s-probe --dns-server "$XT_S2S_DNS" \
		--trust-anchor "$XT_S2S_ANCHOR" --cafile "$XT_S2S_CAFILE" \
		--connect-timeout 30 --timeout 3 silent.test
	echo "after $((SECONDS - start)) s: $stderr"
	[ $((SECONDS - start)) -lt 8 ]
	[[ $stderr == *"--timeout"* ]]
	[ "${#stderr_lines[@]}" -eq 1 ]
}

@test "no STARTTLS offered (scripted server)" {
	run -1 probe --json notls.test
	[ "$(check_status starttls)" = fail ]
	[[ $(check_message starttls) == *"does not offer STARTTLS"* ]]
}

@test "a stream error is named, with what it means" {
	run -1 probe --json streamerr.test
	[ "$(check_status stream)" = fail ]
	[ "$(jqo '.targets[0].addresses[0].stream.error')" = host-unknown ]
	[[ $(check_message stream) == *"host-unknown"* ]]
	[[ $(jqo '.problems[0].fix') == *"does not serve this domain"* ]]
}

@test "a server that speaks only TLS 1.0" {
	run -1 probe --json tls10.test
	[ "$(check_status tls)" = fail ]
	[ "$(check_status tls.versions)" = fail ]
	[ "$(jqo '.targets[0].addresses[0].tls.versions.TLSv1')" = true ]
	[ "$(jqo '.targets[0].addresses[0].tls.versions["TLSv1.2"]')" = false ]
}

@test "twenty domains at --jobs 8: all reported, in input order, wildcard certificate" {
	seq 1 20 | sed 's/^/d/; s/$/.bulk.test/' >"$BATS_TEST_TMPDIR/domains"
	run -0 probe --json --jobs 8 --no-tls-versions <"$BATS_TEST_TMPDIR/domains"
	[ "${#lines[@]}" -eq 20 ]
	[ "$(jq -r .domain <<<"$output" | paste -sd' ')" = "$(paste -sd' ' "$BATS_TEST_TMPDIR/domains")" ]
	[ "$(jq -r .status <<<"$output" | sort -u)" = pass ]
	[ "$(jq -r '.targets[0].addresses[0].certificate.dns_names[0]' <<<"${lines[0]}")" = '*.bulk.test' ]
}

@test "slow domains are probed side by side (--jobs): five silent hosts cost one timeout, not five" {
	start=$(date +%s)
	run -1 probe --json --jobs 8 --connect-timeout 3 silent.test silent.test silent.test silent.test silent.test
	[ "${#lines[@]}" -eq 5 ]
	# one at a time this takes at least 15 s
	[ $(($(date +%s) - start)) -lt 12 ]
}

@test "domains on stdin: comments and blank lines skipped, a bad line named" {
	printf '# watch list\n\ngood.test\nnot a domain\n' >"$BATS_TEST_TMPDIR/list"
	run -65 --separate-stderr probe --no-tls-versions <"$BATS_TEST_TMPDIR/list"
	[ "${lines[0]}" = "good.test: pass" ]
	one_error_line xmpp-s2s-probe
	stderr_has "line 4: 'not a domain' is not a domain"
	run -65 --separate-stderr probe 'bücher.test'
	one_error_line xmpp-s2s-probe
	stderr_has "A-label form (xn--"
}

@test "domains from a pipe are read to the end, the last line without a newline too" {
	{ echo good.test; sleep 0.3; printf 'chain.test'; } |
		probe --json --no-tls-versions >"$BATS_TEST_TMPDIR/out"
	[ "$(jq -r .domain "$BATS_TEST_TMPDIR/out" | paste -sd' ')" = "good.test chain.test" ]
	[ "$(jq -r .status "$BATS_TEST_TMPDIR/out" | sort -u)" = pass ]
}

@test "a domain in capitals is probed in lower case, direct TLS too" {
	run -0 probe --json --no-tls-versions GOOD.TEST
	[ "$(jqo .domain)" = good.test ]
	[ "$(jqo '[.targets[] | select(.direct_tls)] | length')" = 1 ]
	[ "$(jqo .status)" = pass ]
}

@test "a domain with a port, an empty label or a label over 63 characters is bad input (65), named" {
	long=$(printf 'a%.0s' {1..64}).test
	for d in good.test:5269 "$long" a..test .; do
		run -65 --separate-stderr probe "$d"
		one_error_line xmpp-s2s-probe
		stderr_has "'$d' is not a domain"
	done
	run -65 --separate-stderr probe good.test:5269
	stderr_has "--connect HOST:PORT"
	run -65 --separate-stderr probe "$long"
	stderr_has "label longer than 63"
}

@test "a SERVFAIL on one SRV name is a warning; the other's targets are still probed" {
	run -0 probe --json --no-tls-versions halfsrv.test
	[ "$(jqo .status)" = warn ]
	[ "$(check_status dns.srv)" = warn ]
	[[ $(check_message dns.srv) == "_xmpps-server._tcp.halfsrv.test: "*SERVFAIL* ]]
	[ "$(jqo '.targets[0].host')" = xmpp.halfsrv.test ]
	[ "$(jqo '[.targets[0].addresses[].checks[] | select(.check == "cert.identity") | .status] | unique | join(",")')" = pass ]
	run -1 probe --strict --no-tls-versions halfsrv.test
}

@test "a problem at several addresses of a target gets one fix line naming them all" {
	run -1 probe --no-tls-versions twodead.test
	[ "$(grep -c '^  fix ' <<<"$output")" = 1 ]
	[[ $output =~ "fix connect at xmpp.twodead.test:$XT_S2S_DEAD_PORT 127.0.0."[12]", 127.0.0."[12]": check that" ]]
	run -1 probe --json --no-tls-versions twodead.test
	[ "$(jqo '.problems | length')" = 1 ]
	[ "$(jqo '.problems[0].addresses | sort | join(",")')" = 127.0.0.1,127.0.0.2 ]
}

@test "a target's addresses are probed at once (a server that answers only then)" {
	# fake-s2s pair: silent on each address until both are connected
	run -1 probe --json --no-tls-versions pair.test
	[ "$(jqo '.targets[0].addresses | length')" = 2 ]
	[ "$(jqo '[.targets[0].addresses[].checks[] | select(.check == "starttls") | .message] | join(",")')" = \
		"the server does not offer STARTTLS,the server does not offer STARTTLS" ]
}

@test "the TLSA record that would match the certificate is printed, ready for the zone" {
	record="_$XT_S2S_PORT._tcp.xmpp.good.test. IN TLSA 3 1 1 $XT_S2S_GOOD_SPKI"
	run -0 probe --no-tls-versions good.test
	# once for the target, not once per address
	[ "$(grep -cxF "    tlsa: $record" <<<"$output")" = 1 ]
	run -0 probe --json --no-tls-versions good.test
	[ "$(jqo ".targets[] | select(.port == $XT_S2S_PORT) | .addresses[0].certificate.tlsa_record")" = "$record" ]
	# where the records are wrong, the fix gives the right one
	run -1 probe --no-tls-versions tlsabad.test
	[[ $output == *"fix dane at xmpp.tlsabad.test:$XT_S2S_PORT "*": update the TLSA records for the current certificate: _$XT_S2S_PORT._tcp.xmpp.tlsabad.test. IN TLSA 3 1 1 "* ]]
}

@test "--from with --cert and --key authenticates with SASL EXTERNAL" {
	run -0 probe --json --no-tls-versions --from peer.test \
		--cert "$XT_S2S_PEER_CERT" --key "$XT_S2S_PEER_KEY" good.test
	[ "$(jqo '.targets[0].addresses[0].auth.result')" = success ]
	[ "$(check_status auth)" = pass ]
}

@test "SASL EXTERNAL for a domain the certificate does not cover fails" {
	run -1 probe --json --no-tls-versions --from intruder.test \
		--cert "$XT_S2S_PEER_CERT" --key "$XT_S2S_PEER_KEY" good.test
	[ "$(check_status auth)" = fail ]
	[ "$(jqo '.targets[0].addresses[0].auth.result')" != success ]
}

@test "--c2s also checks the client SRV records" {
	run -0 probe --json --no-tls-versions --c2s good.test
	[ "$(jqo '.c2s_srv[0].service')" = xmpp-client ]
	[ "$(check_status dns.c2s)" = pass ]
	run -0 probe --json --no-tls-versions --c2s directtls.test
	[ "$(check_status dns.c2s)" = warn ]
	run -1 probe --json --no-tls-versions --c2s dead.test
	[ "$(check_status dns.c2s)" = fail ]
	[[ $(check_message dns.c2s) == *"without an address: nowhere.dead.test" ]]
}

@test "--connect probes the given address; DNS is still checked" {
	run -0 probe --json --no-tls-versions --connect "127.0.0.1:$XT_S2S_PORT" good.test
	[ "$(jqo '.targets | length')" = 1 ]
	[ "$(jqo '.targets[0].source')" = connect ]
	[ "$(jqo '.srv | length')" = 2 ]
	run -0 probe --json --no-tls-versions --connect "127.0.0.1:$XT_S2S_TLS_PORT" --direct-tls good.test
	[ "$(jqo '.targets[0].direct_tls')" = true ]
}

@test "-v shows the s2s stream on stderr" {
	run -0 --separate-stderr probe -v --no-tls-versions good.test
	stderr_has "<stream:stream xmlns='jabber:server'"
	stderr_has "to='good.test'"
}

@test "usage errors and unreadable files" {
	run -64 --separate-stderr xmpp-s2s-probe --cert x good.test
	one_error_line xmpp-s2s-probe
	run -64 --separate-stderr xmpp-s2s-probe --jobs 0 good.test
	one_error_line xmpp-s2s-probe
	run -64 --separate-stderr xmpp-s2s-probe --dns-server 'host:port' good.test
	one_error_line xmpp-s2s-probe
	run -66 --separate-stderr xmpp-s2s-probe --cafile /nonexistent good.test
	one_error_line xmpp-s2s-probe
	run -64 --separate-stderr xmpp-s2s-probe --jid a@b good.test
	one_error_line xmpp-s2s-probe
}

@test "-j is not --jobs (it is --jid in the other tools): exit 64, saying to use --jobs" {
	local args
	for args in "-j 8" "-j8" "-4j 8"; do
		# shellcheck disable=SC2086 # the words are the options
		run -64 --separate-stderr xmpp-s2s-probe $args good.test
		one_error_line xmpp-s2s-probe
		stderr_has "use --jobs N"
		stderr_has "-j is --jid in the other tools"
		[ -z "$output" ]
	done
}

@test "a resolver that does not answer: exit 69, one line" {
	run -69 --separate-stderr xmpp-s2s-probe --dns-server "127.0.0.1:$XT_S2S_DEAD_PORT" \
		--trust-anchor none --connect-timeout 1 good.test
	[ "${#stderr_lines[@]}" -eq 1 ]
	stderr_has "no DNS answer"
}
