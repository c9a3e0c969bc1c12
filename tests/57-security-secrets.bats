#!/usr/bin/env bats
# Security: where the password could be read besides the tool's own use of
# it. /proc/PID/environ, core files and /proc/PID/mem; the commands the
# tools start (--password-cmd, --exec); -v's copy of the stream; and files
# another user could have written: a config whose password-cmd would run
# as us, a password file or directory someone else controls.

bats_require_minimum_version 1.5.0

setup() {
	load helpers
	me=$(new_account alice) you=$(new_account bob)
	pw=pw-${me%@*}
	out=$BATS_TEST_TMPDIR/out
	cfg=$XDG_CONFIG_HOME/xmpp-tools/config
	LISTEN_PID=
	# the signal test compares what --password-cmd gets with a shell's
	unset SSL_CERT_FILE SSL_CERT_DIR
}

teardown() {
	stop_listener
}

# send ARGS...: xmpp-send as $me.
send() {
	as "$me" xmpp-send "${server_opts[@]}" "$@"
}

# private FILE: writes standard input to FILE with mode 600, its directory
# made as mkdir -p makes it (mode 755 under umask 022).
private() {
	mkdir -p "$(dirname "$1")"
	cat >"$1"
	chmod 600 "$1"
}

# expect GOT WANT: GOT is WANT, else both are shown.
expect() {
	if [ "$1" != "$2" ]; then
		printf 'expected: %q\n     got: %q\n' "$2" "$1" >&2
		return 1
	fi
}

# ignored_and_blocked FILE: FILE's SigIgn and SigBlk lines (from
# /proc/PID/status) as "SigBlk: N SigIgn: N ", signals 1-31 only: 32 and
# 33 are glibc's own and stay as whoever started the test had them.
ignored_and_blocked() {
	local name mask got=
	while read -r name mask; do
		got+="$name $((0x$mask & 0x7fffffff)) "
	done < <(grep -e SigIgn -e SigBlk "$1")
	echo "$got"
}

@test "--password-cmd starts with default signals and the user's core limit, as from a shell" {
	cd "$BATS_TEST_TMPDIR"
	ulimit -c 1234
	run -0 --separate-stderr xmpp-send "${server_opts[@]}" --jid "$me" --password-cmd \
		"cat /proc/self/status >status; bash -c 'trap -p PIPE' >trap; grep '^Max core' /proc/self/limits >core; echo $pw" \
		-m hello "$you"
	expect "$(ignored_and_blocked status)" "SigBlk: 0 SigIgn: 0 "
	expect "$(cat trap)" ""
	# bash counts KiB: 1234 KiB, in bytes
	[[ $(cat core) =~ ^Max\ core\ file\ size\ +1263616\  ]]
}

@test "--password-cmd may print more than a pipe holds after the password" {
	run -0 --separate-stderr xmpp-send "${server_opts[@]}" --jid "$me" \
		--password-cmd "echo $pw; head -c 300000 /dev/zero | tr '\\0' x" -m hello "$you"
}

@test "a tool writes no core file, and its /proc files are closed to the user's other processes" {
	ulimit -c unlimited
	# as another user than root, who may read any /proc file: the owner
	# of /proc/PID/environ and mem is root once the process is not dumpable
	cd /
	run -78 --separate-stderr setpriv --reuid=nobody --regid=nogroup --clear-groups \
		"$XT_BIN/xmpp-send" --jid "$me" --password-cmd \
		'stat -c "environ owner=%u" /proc/$PPID/environ >&2; grep "^Max core" /proc/$PPID/limits >&2; exit 1' \
		-m hello "$you"
	stderr_has "environ owner=0"
	[[ $stderr =~ Max\ core\ file\ size\ +0\  ]]
}

@test "XMPP_PASSWORD is gone from a waiting tool's /proc/PID/environ" {
	listen_bg "$you" "$out"
	tr '\0' '\n' <"/proc/$LISTEN_PID/environ" >"$BATS_TEST_TMPDIR/environ"
	# the block was read: the JID is there, not the password
	grep -qx "XMPP_JID=$you" "$BATS_TEST_TMPDIR/environ"
	run -1 grep -a "pw-${you%@*}" "$BATS_TEST_TMPDIR/environ"
}

@test "an --exec command cannot read XMPP_PASSWORD from its parent's /proc/PID/environ" {
	send -m hi "$you"
	cd "$BATS_TEST_TMPDIR"
	run -0 --separate-stderr as "$you" xmpp-listen "${server_opts[@]}" --offline --count 1 --timeout 10 \
		--exec 'cat >/dev/null; tr "\0" "\n" </proc/$PPID/environ >environ'
	grep -qx "XMPP_JID=$you" environ
	run -1 grep -a "pw-${you%@*}" environ
}

@test "-v shows a room password from --muc-password-file redacted, as SASL" {
	echo "room-secret-4711" | private "$HOME/roompw"
	run -0 --separate-stderr send -v --muc "lockedt${BATS_SUITE_TEST_NUMBER}r$RANDOM@rooms.example.test" \
		--muc-password-file "$HOME/roompw" -m hello
	[[ $stderr == *"<password>[redacted]</password>"* ]]
	[[ $stderr != *room-secret-4711* ]]
}

# config_for JID: writes a config for JID with a password-cmd that leaves
# a file "ran" behind when it runs.
config_for() {
	private "$cfg" <<-EOF
	[work]
	jid = $1
	password-cmd = touch $BATS_TEST_TMPDIR/ran; echo pw-${1%@*}
	EOF
}

# as_work: xmpp-send with the config's account [work], to $you.
as_work() {
	xmpp-send "${server_opts[@]}" --account work -m hi "$you"
}

# refused_password_file FILE: xmpp-send with --password-file FILE exits 78
# with one line on stderr.
refused_password_file() {
	run -78 --separate-stderr xmpp-send "${server_opts[@]}" --jid "$me" \
		--password-file "$1" -m hi "$you"
	one_error_line
}

@test "a config file another user owns is refused (78) and its password-cmd does not run" {
	config_for "$me"
	chown nobody "$cfg"
	run -78 --separate-stderr as_work
	one_error_line
	stderr_has "config file $cfg belongs to nobody, not to you"
	stderr_has "(run: chown root $cfg, or use a file of your own)"
	[ ! -e "$BATS_TEST_TMPDIR/ran" ]
}

@test "a config file in a directory others can write is refused (78), saying chmod go-w" {
	config_for "$me"
	chmod 777 "$XDG_CONFIG_HOME/xmpp-tools"
	run -78 --separate-stderr as_work
	one_error_line
	stderr_has "its directory $XDG_CONFIG_HOME/xmpp-tools is writable by group or others (mode 777)"
	stderr_has "(run: chmod go-w $XDG_CONFIG_HOME/xmpp-tools)"
	[ ! -e "$BATS_TEST_TMPDIR/ran" ]
}

@test "a group-writable directory higher up, up to \$HOME, is refused too" {
	config_for "$me"
	chmod 775 "$XDG_CONFIG_HOME"
	run -78 --separate-stderr as_work
	stderr_has "its directory $XDG_CONFIG_HOME is writable by group or others (mode 775)"
	chmod 755 "$XDG_CONFIG_HOME"
	chmod 770 "$HOME"
	run -78 --separate-stderr as_work
	stderr_has "its directory $HOME is writable by group or others (mode 770)"
}

@test "a config reached through a link in a directory others can write is refused" {
	private "$HOME/real/config" <<<"[work]"
	mkdir -m 777 "$HOME/open"
	ln -s "$HOME/real/config" "$HOME/open/config"
	run -78 --separate-stderr xmpp-send "${server_opts[@]}" --config "$HOME/open/config" \
		--account work -m hi "$you"
	stderr_has "its directory $HOME/open is writable by group or others"
}

@test "a password file another user owns, or in their directory, is refused (78)" {
	echo "$pw" | private "$HOME/pw"
	chown nobody "$HOME/pw"
	refused_password_file "$HOME/pw"
	stderr_has "password file $HOME/pw belongs to nobody, not to you"
	echo "$pw" | private "$HOME/theirs/pw"
	chown nobody "$HOME/theirs"
	refused_password_file "$HOME/theirs/pw"
	stderr_has "password file $HOME/theirs/pw: its directory $HOME/theirs belongs to nobody"
	stderr_has "(run: chown root $HOME/theirs)"
}

@test "a private layout works: config and password file under \$HOME, a password file in /tmp" {
	private "$cfg" <<-EOF
	[work]
	jid = $me
	password-file = ~/.secrets/xmpp
	EOF
	echo "$pw" | private "$HOME/.secrets/xmpp"
	chmod 700 "$HOME/.secrets"
	run -0 --separate-stderr as_work
	# /tmp is writable by all, but sticky and root's: no one can swap our file
	local tmp
	tmp=$(mktemp /tmp/xt-pw.XXXXXX)
	echo "$pw" >"$tmp"
	run --separate-stderr xmpp-send "${server_opts[@]}" --jid "$me" \
		--password-file "$tmp" -m hi "$you"
	rm -f "$tmp"
	[ "$status" -eq 0 ]
}

# vmflags PID RANGE: the VmFlags of PID's mapping RANGE (from memscan.py).
vmflags() {
	sed -n "/^$2 /,/^VmFlags:/p" "/proc/$1/smaps" | sed -n 's/^VmFlags: //p'
}

# not_under_asan: memscan.py reads every writable mapping, and ASan's
# shadow and allocator regions are terabytes of reserved address space.
# The scan runs on the plain build (make check, also on Debian 13).
not_under_asan() {
	[ -z "${ASAN_OPTIONS:-}" ] || skip "ASan's terabytes of reserved memory cannot be scanned"
}

@test "once logged in, no copy of the password is left in memory, libstrophe's included" {
	not_under_asan
	listen_bg "$you" "$out"
	run -0 "$BATS_TEST_DIRNAME/tools/memscan.py" "$LISTEN_PID" "pw-${you%@*}"
	expect "$output" ""
}

@test "--reconnect keeps one copy of the password, locked, out of core files and forks" {
	not_under_asan
	listen_bg "$you" "$out" --reconnect
	run -0 "$BATS_TEST_DIRNAME/tools/memscan.py" "$LISTEN_PID" "pw-${you%@*}"
	expect "${#lines[@]}" 1
	local flags
	flags=" $(vmflags "$LISTEN_PID" "${lines[0]}") "
	echo "VmFlags:$flags"
	[[ $flags == *" lo "* && $flags == *" dd "* && $flags == *" wf "* ]]
}
