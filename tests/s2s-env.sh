#!/usr/bin/env bash
# tests/s2s-env.sh start|stop|env DIR
#
# The federation test world for xmpp-s2s-probe, all on loopback: a DNSSEC
# signed zone test. served by unbound, a second throwaway Prosody that
# serves s2s only, and tests/tools/fake-s2s.py for peers that misbehave.
# Everything (CAs, certificates, zone, keys, configs, logs, pids) lives
# under DIR; nothing reads or writes /etc/prosody, /var/lib/prosody or
# /etc/unbound. `start` picks free ports (base in 30000-39990) and writes
# them to DIR/ports, which `env` and `stop` read; `env` prints KEY=value
# lines for eval. A failed start stops what it had started.
#
# Ports (base+N): 0 DNS (udp+tcp), 1 Prosody s2s STARTTLS (PORT), 2 Prosody
# s2s direct TLS (TLSPORT), 3 nothing (DEAD_PORT), 4 fake silent, 5 fake
# notls, 6 fake streamerr, 7 fake tls10, 8 AIA (HTTP), 9 fake pair
# (PAIR_PORT). The fake peers also listen on 127.0.0.2, nothing else does:
# a second address for one target. Prosody also listens on 5269 when
# that port is free at start (XT_S2S_HAS_5269=1). Targets have A 127.0.0.1
# and, when ::1 works (XT_S2S_V6=1), AAAA ::1, unless said otherwise.
#
# Certificates (DIR/certs): ca = root "xmpp-tools s2s test CA" (RSA, the
# only one in XT_S2S_CAFILE); inter-ca = intermediate signed by it;
# rogue-ca = an untrusted CA. Leaves are EC P-256 except good.test (RSA).
#
# Domains (zone test., signed with one ECDSAP256SHA256 KSK; anchor: the DS
# in XT_S2S_ANCHOR):
#   good.test       everything right: SRV _xmpp-server to xmpp.good.test:PORT
#                   and _xmpps-server to :TLSPORT, TLSA 3 1 1 on both, client
#                   SRV _xmpp-client (5222); cert from the root with DNS-ID,
#                   XmppAddr and SRV-ID (XT_S2S_GOOD_SPKI = its SPKI sha256)
#   dead.test       SRV to xmpp.dead.test (A only) at DEAD_PORT: refused;
#                   a client SRV record to a name with no address
#   nosrv.test      no SRV, A/AAAA on the domain: fallback to 5269
#   unavailable.test  SRV "0 0 0 ." (service declared unavailable)
#   cname.test      SRV target alias.cname.test is a CNAME to xmpp.good.test
#   wrongname.test  cert for other.example only (identity mismatch)
#   expired.test    cert expired in 2020 (from the root CA)
#   unknownca.test  cert from the rogue CA
#   nointermediate.test  cert from the intermediate, server sends leaf only
#   chain.test      cert from the intermediate, server sends leaf+intermediate
#   v6.test         SRV target xmpp.v6.test has only AAAA ::1 (only if V6=1)
#   tlsabad.test    like good.test, but its TLSA records hold a wrong hash
#   directtls.test  only _xmpps-server SRV (TLSPORT)
#   silent.test     fake-s2s silent: connects, never says a word
#   notls.test      fake-s2s notls: no STARTTLS, dialback only
#   streamerr.test  fake-s2s streamerr: <host-unknown/> stream error
#   tls10.test      fake-s2s tls10: STARTTLS, then TLS 1.0 only
#   pair.test       target xmpp.pair.test, A 127.0.0.1 and 127.0.0.2, fake-s2s
#                   pair: answers (as notls) only when both addresses are
#                   connected at once
#   silentpair.test target with A 127.0.0.1 and 127.0.0.2, fake-s2s silent
#   twodead.test    target with A 127.0.0.1 and 127.0.0.2 at DEAD_PORT
#   halfsrv.test    _xmpp-server SRV to xmpp.halfsrv.test:PORT (a Prosody
#                   host); the resolver refuses _xmpps-server._tcp.halfsrv.test
#                   (a SERVFAIL to its clients)
#   missing.test    does not exist (NXDOMAIN, with NSEC proof)
#   dN.bulk.test    N = XT_S2S_BULK (default 20) domains, SRV to
#                   xmpp.bulk.test:PORT, all sharing one *.bulk.test cert
#   peer.test       no DNS: XT_S2S_PEER_CERT/KEY, a client+server cert from
#                   the root, to authenticate with SASL EXTERNAL
# Every Prosody domain above offers dialback, and SASL EXTERNAL to a peer
# whose certificate verifies against the root CA (e.g. peer.test).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cmd=${1:?usage: s2s-env.sh start|stop|env DIR}
dir=${2:?usage: s2s-env.sh start|stop|env DIR}
if [ "$cmd" = start ]; then mkdir -p "$dir"; fi
if [ -d "$dir" ]; then dir=$(cd "$dir" && pwd); fi
certs=$dir/certs
lock=${TMPDIR:-/tmp}/xt-s2s-env.lock

die() { echo "s2s-env.sh: $*" >&2; exit 1; }

# ---------------------------------------------------------------- ports

# listening: every TCP and UDP port something listens on, one per line.
listening() {
	ss -Hltun 2>/dev/null | awk '{ n = split($5, a, ":"); print a[n] }' | sort -u
}

# free_base: a base port (multiple of 10) with base..base+9 all unused.
free_base() {
	local base used p ok
	used=$(listening)
	for _ in $(seq 1 100); do
		base=$((30000 + (RANDOM % 1000) * 10))
		ok=1
		for p in $(seq "$base" $((base + 9))); do
			if grep -qx "$p" <<<"$used" ||
			   (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
				ok=0
				break
			fi
		done
		if [ $ok = 1 ]; then
			echo "$base"
			return
		fi
	done
	die "no free port range in 30000-39990"
}

have_v6() {
	python3 -c 'import socket; s = socket.socket(socket.AF_INET6); s.bind(("::1", 0))' 2>/dev/null
}

# ---------------------------------------------------------------- certificates

# req KEYTYPE ARGS...: openssl req with a new key, rsa (2048) or ec (P-256).
req() {
	local kt=$1
	shift
	if [ "$kt" = rsa ]; then
		openssl req -newkey rsa:2048 "$@"
	else
		openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "$@"
	fi
}

mkca() { # name cn keytype [issuer]
	local name=$1 cn=$2 kt=$3 issuer=${4:-}
	if [ -z "$issuer" ]; then
		req "$kt" -x509 -new -nodes -days 60 -sha256 -subj "/CN=$cn" \
			-addext 'basicConstraints=critical,CA:TRUE' \
			-addext 'keyUsage=critical,keyCertSign,cRLSign' \
			-keyout "$certs/$name.key" -out "$certs/$name.crt" 2>/dev/null
		return
	fi
	req "$kt" -new -nodes -subj "/CN=$cn" \
		-keyout "$certs/$name.key" -out "$certs/$name.csr" 2>/dev/null
	printf '%s\n' 'basicConstraints=critical,CA:TRUE,pathlen:0' \
		'keyUsage=critical,keyCertSign,cRLSign' \
		'subjectKeyIdentifier=hash' 'authorityKeyIdentifier=keyid:always' >"$certs/$name.ext"
	openssl x509 -req -in "$certs/$name.csr" -CA "$certs/$issuer.crt" \
		-CAkey "$certs/$issuer.key" -set_serial "0x$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" \
		-days 60 -sha256 -extfile "$certs/$name.ext" -out "$certs/$name.crt" 2>/dev/null
}

leaf_ext() { # san
	printf '%s\n' "subjectAltName=$1" 'basicConstraints=critical,CA:FALSE' \
		'extendedKeyUsage=serverAuth,clientAuth' \
		'subjectKeyIdentifier=hash' 'authorityKeyIdentifier=keyid:always'
}

mkcert() { # name cn san issuer keytype [extension line]
	local name=$1 cn=$2 san=$3 ca=$4 kt=$5 extra=${6:-}
	req "$kt" -new -nodes -subj "/CN=$cn" \
		-keyout "$certs/$name.key" -out "$certs/$name.csr" 2>/dev/null
	leaf_ext "$san" >"$certs/$name.ext"
	if [ -n "$extra" ]; then echo "$extra" >>"$certs/$name.ext"; fi
	openssl x509 -req -in "$certs/$name.csr" -CA "$certs/$ca.crt" \
		-CAkey "$certs/$ca.key" -set_serial "0x$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')" \
		-days 30 -sha256 -extfile "$certs/$name.ext" -out "$certs/$name.crt" 2>/dev/null
}

# mkexpired: expired.test, valid Jan-Mar 2020, signed by the root with
# `openssl ca` (openssl x509 cannot set a start date in the past).
mkexpired() {
	local db=$certs/ca-db
	mkdir -p "$db"
	: >"$db/index.txt"
	od -An -N8 -tx1 /dev/urandom | tr -d ' \n' >"$db/serial"
	echo >>"$db/serial"
	cat >"$certs/ca.cnf" <<EOF
[ ca ]
default_ca = test_ca
[ test_ca ]
database = $db/index.txt
new_certs_dir = $db
serial = $db/serial
certificate = $certs/ca.crt
private_key = $certs/ca.key
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
email_in_dn = no
[ any ]
commonName = supplied
[ leaf ]
$(leaf_ext DNS:expired.test)
EOF
	req ec -new -nodes -subj "/CN=expired.test" \
		-keyout "$certs/expired.test.key" -out "$certs/expired.test.csr" 2>/dev/null
	openssl ca -batch -config "$certs/ca.cnf" -extensions leaf -notext \
		-startdate 20200101000000Z -enddate 20200331000000Z \
		-in "$certs/expired.test.csr" -out "$certs/expired.test.crt" 2>/dev/null
}

# bg_wait: waits for the background jobs in $bg_pids; fails if any failed.
bg_wait() {
	local p rc=0
	for p in $bg_pids; do
		wait "$p" || rc=1
	done
	bg_pids=
	[ $rc = 0 ] || die "certificate generation failed"
}

make_certs() {
	local good_san
	rm -rf "$certs"
	mkdir -p "$certs"
	bg_pids=
	mkca ca "xmpp-tools s2s test CA" rsa & bg_pids="$bg_pids $!"
	mkca rogue-ca "xmpp-tools s2s rogue CA" ec & bg_pids="$bg_pids $!"
	bg_wait
	mkca inter-ca "xmpp-tools s2s test intermediate CA" ec ca & bg_pids="$bg_pids $!"
	good_san='DNS:good.test,otherName:1.3.6.1.5.5.7.8.5;UTF8:good.test'
	good_san="$good_san,otherName:1.3.6.1.5.5.7.8.7;IA5:_xmpp-server.good.test"
	mkcert good.test good.test "$good_san" ca rsa & bg_pids="$bg_pids $!"
	for d in nosrv cname v6 tlsabad directtls tls10 halfsrv; do
		mkcert "$d.test" "$d.test" "DNS:$d.test" ca ec & bg_pids="$bg_pids $!"
	done
	mkcert wrongname.test other.example DNS:other.example ca ec & bg_pids="$bg_pids $!"
	mkcert unknownca.test unknownca.test DNS:unknownca.test rogue-ca ec & bg_pids="$bg_pids $!"
	mkcert bulk.test '*.bulk.test' 'DNS:*.bulk.test' ca ec & bg_pids="$bg_pids $!"
	mkcert peer.test peer.test DNS:peer.test ca ec & bg_pids="$bg_pids $!"
	mkexpired & bg_pids="$bg_pids $!"
	bg_wait
	# the leaf names where its issuer is (AIA), as public CAs' leaves do:
	# that is how a missing intermediate is told from an unknown CA
	mkcert nointermediate.test nointermediate.test DNS:nointermediate.test inter-ca ec \
		"authorityInfoAccess=caIssuers;URI:http://127.0.0.1:$AIA_PORT/inter-ca.der" &
	bg_pids="$bg_pids $!"
	mkcert chain.test chain.test DNS:chain.test inter-ca ec & bg_pids="$bg_pids $!"
	bg_wait
	cat "$certs/inter-ca.crt" >>"$certs/chain.test.crt"
	mkdir -p "$dir/aia"
	openssl x509 -in "$certs/inter-ca.crt" -outform DER -out "$dir/aia/inter-ca.der"
	rm -f "$certs"/*.csr
	chmod 600 "$certs"/*.key
}

spki_sha256() { # certfile
	openssl x509 -in "$1" -noout -pubkey | openssl pkey -pubin -outform DER |
		sha256sum | cut -c1-64
}

# ---------------------------------------------------------------- DNS

addrs() { # NAME: its A (and AAAA) records
	echo "$1 A 127.0.0.1"
	if [ "$V6" = 1 ]; then echo "$1 AAAA ::1"; fi
}

write_zone() {
	local zone=$dir/dns/test.zone bad
	bad=$(printf 'not the key of tlsabad.test' | sha256sum | cut -c1-64)
	{
		cat <<EOF
\$ORIGIN test.
\$TTL 300
@ SOA ns.test. hostmaster.test. 1 3600 600 86400 300
@ NS ns.test.
ns A 127.0.0.1
; good.test: everything right
_xmpp-server._tcp.good SRV 0 5 $PORT xmpp.good.test.
_xmpps-server._tcp.good SRV 0 5 $TLSPORT xmpp.good.test.
_xmpp-client._tcp.good SRV 0 5 5222 xmpp.good.test.
_$PORT._tcp.xmpp.good TLSA 3 1 1 $GOOD_SPKI
_$TLSPORT._tcp.xmpp.good TLSA 3 1 1 $GOOD_SPKI
$(addrs xmpp.good)
; dead.test: nothing listens
_xmpp-server._tcp.dead SRV 0 5 $DEAD_PORT xmpp.dead.test.
xmpp.dead A 127.0.0.1
_xmpp-client._tcp.dead SRV 0 5 5222 nowhere.dead.test.
; nosrv.test: no SRV, fallback to the domain itself on 5269
$(addrs nosrv)
; unavailable.test: service explicitly not available
_xmpp-server._tcp.unavailable SRV 0 0 0 .
; cname.test: SRV target is an alias
_xmpp-server._tcp.cname SRV 0 5 $PORT alias.cname.test.
alias.cname CNAME xmpp.good.test.
EOF
		echo "; certificate problems (and chain.test: a complete chain)"
		for d in wrongname expired unknownca nointermediate chain; do
			echo "_xmpp-server._tcp.$d SRV 0 5 $PORT xmpp.$d.test."
			addrs "xmpp.$d"
		done
		if [ "$V6" = 1 ]; then
			echo "; v6.test: IPv6 only"
			echo "_xmpp-server._tcp.v6 SRV 0 5 $PORT xmpp.v6.test."
			echo "xmpp.v6 AAAA ::1"
		fi
		cat <<EOF
; tlsabad.test: TLSA records that match no key
_xmpp-server._tcp.tlsabad SRV 0 5 $PORT xmpp.tlsabad.test.
_xmpps-server._tcp.tlsabad SRV 0 5 $TLSPORT xmpp.tlsabad.test.
_$PORT._tcp.xmpp.tlsabad TLSA 3 1 1 $bad
_$TLSPORT._tcp.xmpp.tlsabad TLSA 3 1 1 $bad
$(addrs xmpp.tlsabad)
; directtls.test: direct TLS only
_xmpps-server._tcp.directtls SRV 0 5 $TLSPORT xmpp.directtls.test.
$(addrs xmpp.directtls)
; fake-s2s.py peers
_xmpp-server._tcp.silent SRV 0 5 $SILENT_PORT xmpp.silent.test.
$(addrs xmpp.silent)
_xmpp-server._tcp.notls SRV 0 5 $NOTLS_PORT xmpp.notls.test.
$(addrs xmpp.notls)
_xmpp-server._tcp.streamerr SRV 0 5 $STREAMERR_PORT xmpp.streamerr.test.
$(addrs xmpp.streamerr)
_xmpp-server._tcp.tls10 SRV 0 5 $TLS10_PORT xmpp.tls10.test.
$(addrs xmpp.tls10)
; two IPv4 addresses per target
_xmpp-server._tcp.pair SRV 0 5 $PAIR_PORT xmpp.pair.test.
_xmpp-server._tcp.silentpair SRV 0 5 $SILENT_PORT xmpp.silentpair.test.
_xmpp-server._tcp.twodead SRV 0 5 $DEAD_PORT xmpp.twodead.test.
EOF
		for d in pair silentpair twodead; do
			echo "xmpp.$d A 127.0.0.1"
			echo "xmpp.$d A 127.0.0.2"
		done
		cat <<EOF
; halfsrv.test: the resolver refuses its _xmpps-server name (unbound.conf)
_xmpp-server._tcp.halfsrv SRV 0 5 $PORT xmpp.halfsrv.test.
$(addrs xmpp.halfsrv)
; bulk domains
EOF
		# their own target: xmpp.good.test's TLSA records are for good.test's key
		addrs xmpp.bulk
		for i in $(seq 1 "$BULK"); do
			echo "_xmpp-server._tcp.d$i.bulk SRV 0 5 $PORT xmpp.bulk.test."
		done
	} >"$zone.body"
	# unbound's auth-zone gets the NXDOMAIN proof wrong below an empty
	# non-terminal (_tcp.dead.test has no records of its own): give each
	# one a record, so that _xmpps-server._tcp.dead.test validates.
	awk '/^[^;$@ ]/ { have[$1] = 1; n = split($1, l, ".")
		for (i = 2; i <= n; i++) { s = l[i]; for (j = i + 1; j <= n; j++) s = s "." l[j]; anc[s] = 1 } }
		END { for (a in anc) if (!(a in have)) printf "%s TXT \"empty non-terminal\"\n", a }' \
		"$zone.body" | sort >"$zone.ent"
	cat "$zone.body" "$zone.ent" >"$zone"
	rm -f "$zone.body" "$zone.ent"
}

sign_zone() {
	local key
	(
		cd "$dir/dns"
		rm -f Ktest.*
		key=$(ldns-keygen -a ECDSAP256SHA256 -k test.)
		# signatures valid from yesterday (clock skew) for 30 days
		ldns-signzone -i "$(date -u -d '1 day ago' +%Y%m%d%H%M%S)" \
			-e "$(date -u -d '30 days' +%Y%m%d%H%M%S)" \
			-f test.zone.signed test.zone "$key" >/dev/null
		cp "$key.ds" test.ds
		chmod 600 "$key.private"
	)
}

write_unbound_conf() {
	cat >"$dir/unbound.conf" <<EOF
# generated by tests/s2s-env.sh
server:
	verbosity: 1
	interface: 127.0.0.1@$DNS_PORT
$([ "$V6" = 1 ] && echo "	interface: ::1@$DNS_PORT")
	port: $DNS_PORT
	do-ip6: $([ "$V6" = 1 ] && echo yes || echo no)
	so-reuseport: no
	num-threads: 1
	username: ""
	chroot: ""
	directory: "$dir"
	pidfile: "$dir/unbound.pid"
	use-syslog: no
	logfile: ""
	log-time-ascii: yes
	access-control: 127.0.0.0/8 allow
	access-control: ::1 allow
	module-config: "iterator"
	# No recursion: there is no internet. Every name outside test. is
	# refused at once. test. must be transparent (not static, unbound's
	# RFC 6761 default) so that its queries reach the auth-zone below.
	local-zone: "." refuse
	local-zone: "test." transparent
	# one SRV name of halfsrv.test fails, the other answers
	local-zone: "_xmpps-server._tcp.halfsrv.test." refuse
remote-control:
	control-enable: no
auth-zone:
	name: "test."
	zonefile: "$dir/dns/test.zone.signed"
	for-downstream: yes
	for-upstream: no
	fallback-enabled: no
EOF
}

# ---------------------------------------------------------------- Prosody

vhost() { # domain certname: a VirtualHost presenting DIR/certs/certname.crt
	local crt=$certs/$2.crt key=$certs/$2.key
	cat <<EOF

VirtualHost "$1"
	ssl = { certificate = "$crt", key = "$key" }
	s2s_direct_tls_ssl = { certificate = "$crt", key = "$key" }
EOF
}

write_prosody_conf() {
	local ifaces='"127.0.0.1"' s2s_ports=$PORT d i
	if [ "$V6" = 1 ]; then ifaces='"127.0.0.1", "::1"'; fi
	if [ "$HAS_5269" = 1 ]; then s2s_ports="$PORT, 5269"; fi
	{
		cat <<EOF
-- generated by tests/s2s-env.sh; throwaway s2s-only test server
run_as_root = true
pidfile = "$dir/prosody.pid"
data_path = "$dir/data"
log = { { levels = { min = "${XT_PROSODY_LOG:-info}" }, to = "file", filename = "$dir/prosody.log" } }
interfaces = { $ifaces }
local_interfaces = { $ifaces }
s2s_interfaces = { $ifaces }
s2s_direct_tls_interfaces = { $ifaces }
c2s_ports = { }
c2s_direct_tls_ports = { }
http_ports = { }
https_ports = { }
s2s_ports = { $s2s_ports }
s2s_direct_tls_ports = { $TLSPORT }
modules_enabled = { "tls"; "saslauth"; "dialback"; "s2s"; "posix"; }
modules_disabled = { "c2s"; "offline"; }
authentication = "internal_hashed"
default_storage = "memory"
s2s_require_encryption = true
s2s_secure_auth = false
-- an empty directory: certificates come only from the ssl options below
certificates = "$dir/no-certs"
-- peers' certificates (SASL EXTERNAL) are checked against the test root
ssl = { cafile = "$certs/ca.crt" }
-- direct TLS without SNI gets good.test's certificate
s2s_direct_tls_ssl = { certificate = "$certs/good.test.crt", key = "$certs/good.test.key" }
EOF
		vhost good.test good.test
		for d in nosrv cname v6 tlsabad directtls wrongname expired unknownca \
			nointermediate chain halfsrv; do
			vhost "$d.test" "$d.test"
		done
		for i in $(seq 1 "$BULK"); do
			vhost "d$i.bulk.test" bulk.test
		done
	} >"$dir/prosody.cfg.lua"
}

# ---------------------------------------------------------------- daemons

# launch NAME CMD...: runs CMD in its own session (a test's Ctrl-C does not
# reach it), output to DIR/NAME.log, pid to DIR/NAME.launcher.pid. fd 9 (the
# port lock) is not passed on.
launch() {
	local name=$1
	shift
	setsid "$@" >>"$dir/$name.log" 2>&1 9>&- </dev/null &
	echo $! >"$dir/$name.launcher.pid"
}

# ours PID: PID is alive and is one of this DIR's daemons.
ours() {
	[ -r "/proc/$1/cmdline" ] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -qF "$dir/"
}

# running PID: PID exists and is not a zombie. (Not `ours`: just after
# launch, the child may not have exec'd its daemon yet.)
running() {
	[ -r "/proc/$1/stat" ] && ! awk '{ exit $3 != "Z" }' "/proc/$1/stat"
}

alive() { # name pid: fails, with the log's tail, when the daemon has died
	if ! running "$2"; then
		echo "s2s-env.sh: $1 exited; see $dir/$1.log" >&2
		tail -20 "$dir/$1.log" >&2 || true
		return 1
	fi
}

wait_dns() {
	local pid i
	pid=$(cat "$dir/unbound.launcher.pid")
	for i in $(seq 1 100); do
		alive unbound "$pid" || return 1
		if drill -Q -p "$DNS_PORT" @127.0.0.1 SOA test. 2>/dev/null | grep -q hostmaster; then
			return 0
		fi
		sleep 0.05
	done
	die "unbound does not answer on port $DNS_PORT; see $dir/unbound.log"
}

wait_tcp() { # name port
	local pid i
	pid=$(cat "$dir/$1.launcher.pid")
	for i in $(seq 1 200); do
		alive "$1" "$pid" || return 1
		if (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null; then
			return 0
		fi
		sleep 0.05
	done
	die "$1 did not open port $2; see $dir/$1.log"
}

# wait_xmpp PORT DOMAIN: Prosody answers a stream opening to DOMAIN with
# STARTTLS. It loads every host before it answers anything, but opens its
# ports earlier.
wait_xmpp() {
	local reply
	reply=$(python3 - "$1" "$2" <<'EOF' 2>&1
import socket, sys
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])), timeout=20)
s.sendall(("<?xml version='1.0'?><stream:stream xmlns='jabber:server' "
           "xmlns:stream='http://etherx.jabber.org/streams' to='%s' "
           "version='1.0'>" % sys.argv[2]).encode())
buf = b''
while b'</stream:features>' not in buf and b'</stream:stream>' not in buf:
    data = s.recv(4096)
    if not data:
        break
    buf += data
print(buf.decode('utf-8', 'replace'))
EOF
	) || true
	case $reply in
	*"<starttls"*) return 0 ;;
	esac
	echo "s2s-env.sh: prosody does not serve $2 on port $1: $reply" >&2
	tail -20 "$dir/prosody.log" >&2 || true
	return 1
}

# on_exit: a start that did not finish stops whatever it had started.
on_exit() {
	if [ "${started:-0}" != 1 ]; then
		echo "s2s-env.sh: start failed; stopping what was started" >&2
		# shellcheck disable=SC2086
		[ -z "${bg_pids:-}" ] || kill $bg_pids 2>/dev/null || true
		stop
	fi
}

start() {
	local t0=$EPOCHREALTIME fake_bind
	for c in prosody unbound ldns-keygen ldns-signzone drill openssl python3 ss setsid flock; do
		command -v "$c" >/dev/null || die "$c not installed"
	done
	stop # leftovers of an earlier start in DIR
	rm -rf "$dir/dns" "$dir/data" "$dir/no-certs"
	rm -f "$dir"/*.log
	mkdir -p "$dir/dns" "$dir/data" "$dir/no-certs"
	started=0
	trap on_exit EXIT
	trap 'exit 130' INT TERM HUP
	BULK=${XT_S2S_BULK:-20}
	V6=0
	if have_v6; then V6=1; fi

	# Ports are picked and bound under a lock so concurrent starts do not clash.
	exec 9>"$lock"
	flock -w 120 9 || die "cannot lock $lock"
	base=$(free_base)
	DNS_PORT=$base PORT=$((base + 1)) TLSPORT=$((base + 2)) DEAD_PORT=$((base + 3))
	SILENT_PORT=$((base + 4)) NOTLS_PORT=$((base + 5)) STREAMERR_PORT=$((base + 6))
	TLS10_PORT=$((base + 7)) AIA_PORT=$((base + 8)) PAIR_PORT=$((base + 9))
	# the certificates name the AIA port
	make_certs
	GOOD_SPKI=$(spki_sha256 "$certs/good.test.crt")
	HAS_5269=1
	if grep -qx 5269 <<<"$(listening)"; then HAS_5269=0; fi
	cat >"$dir/ports" <<EOF
DNS_PORT=$DNS_PORT
PORT=$PORT
TLSPORT=$TLSPORT
DEAD_PORT=$DEAD_PORT
SILENT_PORT=$SILENT_PORT
NOTLS_PORT=$NOTLS_PORT
STREAMERR_PORT=$STREAMERR_PORT
TLS10_PORT=$TLS10_PORT
AIA_PORT=$AIA_PORT
PAIR_PORT=$PAIR_PORT
HAS_5269=$HAS_5269
V6=$V6
BULK=$BULK
GOOD_SPKI=$GOOD_SPKI
EOF
	write_zone
	sign_zone
	write_unbound_conf
	write_prosody_conf

	launch unbound /usr/sbin/unbound -d -c "$dir/unbound.conf"
	fake_bind="-b 127.0.0.1 -b 127.0.0.2"
	if [ "$V6" = 1 ]; then fake_bind="$fake_bind -b ::1"; fi
	# shellcheck disable=SC2086
	launch fake-s2s "$here/tools/fake-s2s.py" $fake_bind \
		--cert "$certs/tls10.test.crt" --key "$certs/tls10.test.key" \
		--pidfile "$dir/fake-s2s.pid" \
		"silent:$SILENT_PORT" "notls:$NOTLS_PORT" "streamerr:$STREAMERR_PORT" "tls10:$TLS10_PORT" "pair:$PAIR_PORT"
	launch prosody prosody --config "$dir/prosody.cfg.lua" -F
	launch aia python3 -m http.server --bind 127.0.0.1 --directory "$dir/aia" "$AIA_PORT"
	wait_dns
	wait_tcp fake-s2s "$TLS10_PORT"
	wait_tcp prosody "$PORT"
	wait_tcp prosody "$TLSPORT"
	wait_tcp aia "$AIA_PORT"
	if [ "$HAS_5269" = 1 ]; then wait_tcp prosody 5269; fi
	wait_xmpp "$PORT" good.test
	exec 9>&-
	started=1
	awk -v a="$t0" -v b="$EPOCHREALTIME" \
		'BEGIN { printf "s2s-env.sh: started in %.2f s\n", b - a }' >&2
}

# stop: TERM to every daemon of DIR named in a pid file, KILL to those still
# there after 5 s. A zombie counts as gone (`ours` fails on it: this init may
# reap late).
stop() {
	local f pid pids='' left
	[ -d "$dir" ] || return 0
	for f in prosody.pid prosody.launcher.pid unbound.pid unbound.launcher.pid \
		fake-s2s.pid fake-s2s.launcher.pid aia.launcher.pid; do
		[ -f "$dir/$f" ] || continue
		pid=$(cat "$dir/$f")
		if [ -n "$pid" ] && ours "$pid"; then
			kill "$pid" 2>/dev/null || true
			pids="$pids $pid"
		fi
	done
	for _ in $(seq 1 100); do
		left=
		for pid in $pids; do
			if ours "$pid"; then left="$left $pid"; fi
		done
		pids=$left
		[ -n "$pids" ] || break
		sleep 0.05
	done
	for pid in $pids; do
		if ours "$pid"; then kill -9 "$pid" 2>/dev/null || true; fi
	done
	rm -f "$dir"/*.pid "$dir/ports"
}

env_vars() {
	[ -f "$dir/ports" ] || die "$dir/ports missing: not started"
	# shellcheck disable=SC1091
	. "$dir/ports"
	cat <<EOF
XT_S2S_DIR=$dir
XT_S2S_DNS=127.0.0.1:$DNS_PORT
XT_S2S_ANCHOR=$dir/dns/test.ds
XT_S2S_CAFILE=$certs/ca.crt
XT_S2S_PORT=$PORT
XT_S2S_TLS_PORT=$TLSPORT
XT_S2S_DEAD_PORT=$DEAD_PORT
XT_S2S_SILENT_PORT=$SILENT_PORT
XT_S2S_NOTLS_PORT=$NOTLS_PORT
XT_S2S_STREAMERR_PORT=$STREAMERR_PORT
XT_S2S_TLS10_PORT=$TLS10_PORT
XT_S2S_PAIR_PORT=$PAIR_PORT
XT_S2S_HAS_5269=$HAS_5269
XT_S2S_V6=$V6
XT_S2S_PEER_CERT=$certs/peer.test.crt
XT_S2S_PEER_KEY=$certs/peer.test.key
XT_S2S_GOOD_SPKI=$GOOD_SPKI
XT_S2S_BULK=$BULK
EOF
}

case $cmd in
start | stop) "$cmd" ;;
env) env_vars ;;
*) die "usage: s2s-env.sh start|stop|env DIR" ;;
esac
