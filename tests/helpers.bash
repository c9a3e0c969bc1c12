# Shared by every tests/*.bats file; tests/run.sh exports XT_BIN, XT_C2S,
# XT_CAFILE and XT_TEST_DIR for the suite's own Prosody.

bats_require_minimum_version 1.5.0
PATH=$XT_BIN:$PATH
export XDG_CONFIG_HOME=$BATS_TEST_TMPDIR/config
export HOME=$BATS_TEST_TMPDIR
unset XMPP_JID XMPP_PASSWORD

# The options every test passes: the local server, verified with the test CA.
server_opts=(--server "$XT_C2S" --cafile "$XT_CAFILE")

# new_account NAME: a fresh account NAME-N@example.test (password pw-NAME-N),
# so that no test sees another's offline messages. Prosody upgrades the
# plaintext password to SCRAM on first login.
new_account() {
	local user="$1-$BATS_SUITE_TEST_NUMBER-$RANDOM"
	printf 'return {\n\t["password"] = "pw-%s";\n};\n' "$user" \
		>"$XT_TEST_DIR/data/example%2etest/accounts/$user.dat"
	echo "$user@example.test"
}

# as JID CMD...: runs CMD with JID's credentials in the environment.
as() {
	local jid=$1
	shift
	XMPP_JID=$jid XMPP_PASSWORD=pw-${jid%@*} "$@"
}

# listen_bg JID OUT [ARGS...]: starts xmpp-listen as JID in the background,
# JSON to OUT, its -v stream to OUT.err, and returns once its presence (and
# room joins) are out.
listen_bg() {
	local jid=$1 out=$2
	shift 2
	as "$jid" xmpp-listen "${server_opts[@]}" --json -v "$@" >"$out" 2>"$out.err" &
	LISTEN_PID=$!
	wait_for "$out.err" '^> <presence'
	case " $* " in
	*" --muc "*) wait_for "$out.err" 'code="110"' ;;
	esac
}

# wait_for FILE REGEX: waits (10 s at most) until a line of FILE matches.
wait_for() {
	local i
	for i in $(seq 1 200); do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "timed out waiting for /$2/ in $1" >&2
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
