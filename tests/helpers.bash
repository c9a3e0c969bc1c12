# Shared by every tests/*.bats file; tests/run.sh exports XT_BIN, XT_C2S,
# XT_CAFILE, XT_TEST_DIR and XT_SERVER (prosody or ejabberd) for the suite's
# own server.

bats_require_minimum_version 1.5.0
source "${BASH_SOURCE[0]%/*}/wait-for.sh"
PATH=$XT_BIN:$PATH
export XDG_CONFIG_HOME=$BATS_TEST_TMPDIR/config
export HOME=$BATS_TEST_TMPDIR
unset XMPP_JID XMPP_PASSWORD XDG_STATE_HOME

# run is bats's, and more: a run that must succeed (-0) and keeps stderr
# apart (--separate-stderr) fails when the tool also said on stderr that
# something was not confirmed, failed or was refused: exit 0 means the
# server confirmed what was asked. (A warning may say such words: it is
# the tool's own judgement that the run still succeeded.) (Once, though setup may load this file
# again for every test.)
if ! declare -F bats_plain_run >/dev/null; then
	eval "$(declare -f run | sed '1s/^run /bats_plain_run /')"
	run() {
		local a zero=0 apart=0 rc=0
		for a in "$@"; do
			case $a in
			-0) zero=1 ;;
			--separate-stderr) apart=1 ;;
			-*) ;;
			*) break ;;
			esac
		done
		bats_plain_run "$@" || rc=$?
		[ "$rc" -eq 0 ] && [ "$zero$apart" = 11 ] || return "$rc"
		if grep -v '^xmpp-[a-z0-9-]*: warning: ' <<<"$stderr" |
			grep -E '^xmpp-[a-z0-9-]+: .*(not confirmed|not sent|error|failed|refused|rejected|lost)' >&2; then
			echo "exit 0, but stderr said the above" >&2
			return 1
		fi
	}
fi

# The options every test passes: the local server, verified with the test CA.
server_opts=(--server "$XT_C2S" --cafile "$XT_CAFILE")

# add_account LOCALPART HOST PASSWORD: makes the account on the suite's
# server: Prosody reads a file per account (its name escaped: %2e for a dot,
# %5c for a backslash; Prosody upgrades the plaintext password to SCRAM on
# first login), ejabberd takes one mod_http_api request (a new Erlang VM per
# ejabberdctl call would cost 0.3 s each).
add_account() {
	local user=$1 host=$2 password=$3 file
	if [ "${XT_SERVER:-prosody}" = ejabberd ]; then
		jq -cn --arg u "$user" --arg h "$host" --arg p "$password" \
			'{user: $u, host: $h, password: $p}' |
			curl -sS -f -o /dev/null --max-time 10 -H 'Content-Type: application/json' \
				--data-binary @- "$XT_EJABBERD_API/register"
		return
	fi
	file=$(sed 's/%/%25/g; s/\./%2e/g; s/\\/%5c/g' <<<"$user")
	printf 'return {\n\t["password"] = "%s";\n};\n' "$password" \
		>"$XT_TEST_DIR/data/$(sed 's/\./%2e/g' <<<"$host")/accounts/$file.dat"
}

# new_account NAME: a fresh account NAMEtNrM@example.test (password
# pw-NAMEtNrM), so that no test sees another's offline messages. (Letters
# and digits only: Prosody escapes other characters in its file names.)
new_account() {
	local user="${1}t${BATS_SUITE_TEST_NUMBER}r$RANDOM"
	add_account "$user" example.test "pw-$user" >&2 || return 1
	echo "$user@example.test"
}

# pin_of NAME: the --pin value of a test certificate's key.
pin_of() {
	printf 'sha256:%s' "$(openssl x509 -pubkey -noout -in "$XT_TEST_DIR/certs/$1.crt" |
		openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64)"
}

# needs_server NAME WHY: skips the test, saying WHY, unless the suite runs
# against NAME (prosody or ejabberd): for a test about one server's own
# module or behaviour, not about the protocol.
needs_server() {
	[ "${XT_SERVER:-prosody}" = "$1" ] || skip "needs $1: $2"
}

# as JID CMD...: runs CMD with JID's credentials in the environment. (In
# the background, $! is then a subshell, not CMD: listen_bg does without.)
as() {
	local jid=$1
	shift
	XMPP_JID=$jid XMPP_PASSWORD=pw-${jid%@*} "$@"
}

# send ARGS...: xmpp-send as $me. A send that exits 0 must not also say
# that something was not confirmed, failed or was refused: its stderr
# (passed on) is checked.
send() {
	local err rc=0
	err=$(mktemp "${BATS_TEST_TMPDIR:-${TMPDIR:-/tmp}}/send.XXXXXX")
	as "$me" xmpp-send "${server_opts[@]}" "$@" 2>"$err" || rc=$?
	cat "$err" >&2
	if [ "$rc" -eq 0 ] && grep -v '^xmpp-send: warning: ' "$err" |
		grep -E '^xmpp-send: .*(not confirmed|not sent|error|failed|refused|rejected|lost)' >&2; then
		echo "xmpp-send exited 0 but said the above" >&2
		rc=1
	fi
	rm -f "$err"
	return "$rc"
}

# sendfile ARGS...: xmpp-sendfile as $me, the upload host resolved to the
# test server.
sendfile() {
	as "$me" xmpp-sendfile "${server_opts[@]}" --resolve "$XT_UPLOAD_RESOLVE" "$@"
}

# What listen_bg runs xmpp-listen through: nothing, or the namespace of
# system_trust_mode. (A prefix that execs, so that $! stays the tool's pid.)
via=()

# listen_bg JID OUT [ARGS...]: starts xmpp-listen as JID in the background,
# JSON to OUT, its -v stream to OUT.err, and returns once its presence (and
# room joins) are out. It is the account's client (--offline): messages to
# the bare JID come to it.
listen_bg() {
	local jid=$1 out=$2
	shift 2
	XMPP_JID=$jid XMPP_PASSWORD=pw-${jid%@*} "${via[@]}" \
		xmpp-listen "${server_opts[@]}" --offline --json -v "$@" >"$out" 2>"$out.err" &
	LISTEN_PID=$!	# xmpp-listen's own pid: kill reaches it
	wait_for "$out.err" '^> <presence'
	case " $* " in
	*" --muc "*) wait_for "$out.err" 'code="110"' ;;
	esac
}


# "${on_tty[@]}" [--cols N] OUT CMD...: runs CMD with its standard error
# on a pseudo-terminal (N columns, default 80), as a person at a terminal
# would see it; what CMD writes there goes to OUT as it comes. Standard
# output stays as it was. Killing it (TERM, INT) passes the signal on to
# CMD. (An array, not a function: in the background, $! is then the
# runner itself, which a kill reaches.)
on_tty=(/usr/bin/python3 "$BATS_TEST_DIRNAME/tools/pty-run.py")

# presence_acked FILE: waits (10 s at most) until the -v stream in FILE shows
# our presence sent and a server ack after it: the server has handled it.
presence_acked() {
	local i
	for i in $(seq 1 200); do
		awk '/^> <presence/ { p = 1 } p && /^< <a / { ok = 1 } END { exit !ok }' \
			"$1" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "timed out waiting for an acked presence in $1" >&2
	return 1
}

# wait_lines FILE N: waits (10 s at most) until FILE has N lines.
wait_lines() {
	local i
	for i in $(seq 1 200); do
		[ "$(wc -l <"$1")" -ge "$2" ] && return 0
		sleep 0.05
	done
	echo "timed out waiting for $2 lines in $1" >&2
	return 1
}

# built_with_asan: the tools under test are check-sanitize's ASan builds
# (under check-valgrind XT_BIN holds wrappers: the real build is XT_BUILD).
built_with_asan() {
	ldd "${XT_BUILD:-$XT_BIN}/xmpp-send" 2>/dev/null | grep -q libasan
}

# wait_count FILE REGEX N SECONDS: waits until N lines of FILE match.
wait_count() {
	local i
	for ((i = 0; i < $4 * 10; i++)); do
		[ "$(grep -c -- "$2" "$1" 2>/dev/null)" -ge "$3" ] && return 0
		sleep 0.1
	done
	echo "only $(grep -c -- "$2" "$1") of $3 lines matching /$2/ in $1" >&2
	return 1
}

# exited PID: waits (5 s at most) until PID has exited.
exited() {
	local i
	for i in $(seq 1 50); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.1
	done
	echo "process $1 did not exit" >&2
	return 1
}

# wait_bounded PID [SECONDS]: waits (120 s at most) for the background
# process PID and sets status to its exit code; a process still running
# then is killed and the test fails, instead of hanging the suite.
wait_bounded() {
	local i limit=$((${2:-120} * 10))
	for ((i = 0; i < limit; i++)); do
		kill -0 "$1" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$1" 2>/dev/null; then
		echo "process $1 still running after ${2:-120} s: killed" >&2
		kill -9 "$1" 2>/dev/null
		wait "$1" 2>/dev/null
		return 1
	fi
	status=0
	wait "$1" || status=$?
}

# refute CMD...: CMD fails. A bare "! CMD" asserts nothing in bats (set -e
# ignores a negated command), hence this.
refute() {
	if "$@"; then
		echo "expected to fail: $*" >&2
		return 1
	fi
}

# stop_listener: ends listen_bg's xmpp-listen, if one runs (for teardown).
stop_listener() {
	[ -n "${LISTEN_PID:-}" ] || return 0
	kill "$LISTEN_PID" 2>/dev/null || true
	exited "$LISTEN_PID" || kill -9 "$LISTEN_PID" 2>/dev/null || true
	wait "$LISTEN_PID" 2>/dev/null || true
	LISTEN_PID=
}

# one_error_line [TOOL]: the last `run --separate-stderr` printed one line
# on stderr, "TOOL: ...".
one_error_line() {
	local tool=${1:-xmpp-send}
	if [ "${#stderr_lines[@]}" -ne 1 ] || [[ ${stderr_lines[0]} != "$tool: "* ]]; then
		printf 'expected one stderr line starting "%s: ", got:\n%s\n' "$tool" "$stderr" >&2
		return 1
	fi
}

# stderr_has TEXT: the last run's stderr contains TEXT.
stderr_has() {
	if [[ $stderr != *"$1"* ]]; then
		printf 'expected "%s" in stderr, got:\n%s\n' "$1" "$stderr" >&2
		return 1
	fi
}

# rss_under KB FILE: the peak RSS in FILE (KiB, from /usr/bin/time -f %M)
# is under KB; under AddressSanitizer, whose shadow memory and quarantine
# of freed blocks (256 MB) count too, under 600 MB. Says the figure.
rss_under() {
	local limit=$1 peak
	peak=$(tail -n 1 "$2")
	if built_with_asan; then limit=600000; fi
	echo "peak RSS $peak KiB (limit $limit KiB)"
	[ "$peak" -lt "$limit" ]
}

# ---- the system-trust mode ----
# The tools as users run them: the test CA trusted by the system's store,
# the Debian way, with no --cafile and SSL_CERT_FILE and SSL_CERT_DIR
# unset. The store is a private copy of /etc/ssl/certs with the CA added
# (its hash link made by openssl rehash, and appended to the bundle
# ca-certificates.crt) that a private mount namespace lays over
# /etc/ssl/certs, for the tools of a test only: the machine's store is
# never written. Needs root (unshare -m), else user namespaces (-r).

# system_store [CAFILE]: the directory of that copy, trusting CAFILE
# (default: the suite's CA), made once per CA for the whole run.
system_store() {
	local ca=${1:-$XT_CAFILE} store tmp
	store=$XT_TEST_DIR/system-certs.$(openssl x509 -hash -noout -in "$ca") || return 1
	if [ ! -d "$store" ]; then
		tmp=$(mktemp -d "$store.XXXXXX")
		cp -a /etc/ssl/certs/. "$tmp/"
		cp "$ca" "$tmp/xmpp-tools-test-ca.pem"
		# a new file, whatever the copied one was (a link would
		# reach the machine's bundle)
		rm -f "$tmp/ca-certificates.crt"
		cat /etc/ssl/certs/ca-certificates.crt "$ca" >"$tmp/ca-certificates.crt"
		# it skips the bundle, saying so: not a problem
		openssl rehash "$tmp" 2>/dev/null
		[ -e "$tmp/$(openssl x509 -hash -noout -in "$ca").0" ] || {
			echo "system_store: openssl rehash made no link for $ca" >&2
			return 1
		}
		mv -T "$tmp" "$store" 2>/dev/null || rm -rf "$tmp"
	fi
	echo "$store"
}

# system_trust_mode [CAFILE]: the rest of the test runs the tools through
# the system store: server_opts loses --cafile, SSL_CERT_* are unset, and
# listen_bg and system_trust go into the namespace.
system_trust_mode() {
	local store
	store=$(system_store "$@") || return 1
	unset SSL_CERT_FILE SSL_CERT_DIR
	server_opts=(--server "$XT_C2S")
	via=(unshare -m --propagation private)
	[ "$(id -u)" -eq 0 ] || via=(unshare -r -m --propagation private)
	via+=(sh -c 'mount --bind "$0" /etc/ssl/certs && exec "$@"' "$store")
	"${via[@]}" true || {
		echo "system_trust_mode: cannot make a mount namespace (${via[*]:0:4})" >&2
		return 1
	}
}

# system_trust CMD...: runs the program CMD in the system-trust mode's
# namespace (system_trust_mode first, if the test did not).
system_trust() {
	[ "${#via[@]}" -gt 0 ] || system_trust_mode || return 1
	env -u SSL_CERT_FILE -u SSL_CERT_DIR "${via[@]}" "$@"
}
