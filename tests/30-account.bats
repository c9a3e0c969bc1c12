#!/usr/bin/env bats
# Accounts and credentials: where the JID, the password and the server come
# from (flags, environment, config file, go-sendxmpp's config), in which
# order, and that the password never leaks (ps, -v).

bats_require_minimum_version 1.5.0

setup() {
	load helpers
	me=$(new_account alice)
	pw=pw-${me%@*}
	rcpt=$(new_account bob)
	cfg=$XDG_CONFIG_HOME/xmpp-tools/config
	LISTEN_PID=
}

teardown() {
	stop_listener
}

# private FILE: writes standard input to FILE with mode 600.
private() {
	mkdir -p "$(dirname "$1")"
	cat >"$1"
	chmod 600 "$1"
}

# logged_in_as JID: the last run's -v output shows the server bound JID.
logged_in_as() {
	if [[ $stderr != *"<jid>$1/"* ]]; then
		printf 'expected to be logged in as %s; -v output:\n%s\n' "$1" "$stderr" >&2
		return 1
	fi
}

@test "--jid with --password-file logs in" {
	printf '%s\n' "$pw" | private "$HOME/pw"
	run --separate-stderr xmpp-send "${server_opts[@]}" --jid "$me" \
		--password-file "$HOME/pw" -m hello "$rcpt"
	echo "$stderr"
	[ "$status" -eq 0 ]
}

@test "a password file readable by others is refused (78, says chmod 600)" {
	printf '%s\n' "$pw" >"$HOME/pw"
	chmod 644 "$HOME/pw"
	run --separate-stderr xmpp-send "${server_opts[@]}" --jid "$me" \
		--password-file "$HOME/pw" -m hello "$rcpt"
	[ "$status" -eq 78 ]
	one_error_line
	stderr_has "$HOME/pw"
	stderr_has "chmod 600"
}

@test "--password-cmd supplies the password" {
	run --separate-stderr xmpp-send "${server_opts[@]}" --jid "$me" \
		--password-cmd "echo $pw" -m hello "$rcpt"
	echo "$stderr"
	[ "$status" -eq 0 ]
}

@test "commands the tools start do not see XMPP_PASSWORD" {
	# the password manager sees no XMPP_PASSWORD, though the tool was given one
	XMPP_PASSWORD=leaked run --separate-stderr xmpp-send "${server_opts[@]}" --jid "$me" \
		--password-cmd "test -z \"\$XMPP_PASSWORD\" && echo $pw" -m hello "$rcpt"
	[ "$status" -eq 0 ]
	# nor does a command xmpp-listen runs for a message
	as "$me" xmpp-send "${server_opts[@]}" -m ping "$rcpt"
	as "$rcpt" run --separate-stderr xmpp-listen "${server_opts[@]}" --offline --count 1 --timeout 10 \
		--exec "echo \"pw=\${XMPP_PASSWORD-unset}\" >>$BATS_TEST_TMPDIR/seen"
	[ "$status" -eq 0 ]
	[ "$(cat "$BATS_TEST_TMPDIR/seen")" = "pw=unset" ]
}

@test "a failing --password-cmd gives 78" {
	run --separate-stderr xmpp-send "${server_opts[@]}" --jid "$me" \
		--password-cmd "echo $pw; exit 3" -m hello "$rcpt"
	[ "$status" -eq 78 ]
	one_error_line
	stderr_has "password command failed"
}

@test "XMPP_JID and XMPP_PASSWORD in the environment log in" {
	XMPP_JID=$me XMPP_PASSWORD=$pw run --separate-stderr \
		xmpp-send "${server_opts[@]}" -m hello "$rcpt"
	echo "$stderr"
	[ "$status" -eq 0 ]
}

@test "XMPP_JID, XMPP_PASSWORD, XMPP_SERVER and XMPP_CAFILE alone log in (the CI recipe)" {
	XMPP_JID=$me XMPP_PASSWORD=$pw XMPP_SERVER=$XT_C2S XMPP_CAFILE=$XT_CAFILE \
		run -0 --separate-stderr xmpp-send -m hello "$rcpt"
	# without XMPP_CAFILE the suite's CA is not trusted: it was that variable
	XMPP_JID=$me XMPP_PASSWORD=$pw XMPP_SERVER=$XT_C2S \
		run --separate-stderr xmpp-send -m hello "$rcpt"
	[ "$status" -eq 79 ]
}

@test "--server and --cafile beat XMPP_SERVER and XMPP_CAFILE" {
	XMPP_JID=$me XMPP_PASSWORD=$pw XMPP_SERVER=127.0.0.1:1 XMPP_CAFILE=/nonexistent.pem \
		run -0 --separate-stderr xmpp-send "${server_opts[@]}" -m hello "$rcpt"
	# --capath replaces XMPP_CAFILE as it replaces the config's cafile
	XMPP_JID=$me XMPP_PASSWORD=$pw XMPP_CAFILE=/nonexistent.pem \
		run --separate-stderr xmpp-send --server "$XT_C2S" --capath /nonexistent-dir -m hello "$rcpt"
	[ "$status" -eq 66 ]
	stderr_has "CA directory /nonexistent-dir"
}

@test "XMPP_SERVER and XMPP_CAFILE override the config file's server and cafile" {
	private "$cfg" <<-EOF
		jid = $me
		password = $pw
		server = 127.0.0.1:1
		cafile = /nonexistent.pem
	EOF
	XMPP_SERVER=$XT_C2S XMPP_CAFILE=$XT_CAFILE run -0 --separate-stderr xmpp-send -m hello "$rcpt"
}

@test "XMPP_SERVER and XMPP_CAFILE go with XMPP_JID: -a NAME's account keeps its own" {
	three_accounts
	XMPP_JID=$other XMPP_SERVER=127.0.0.1:1 XMPP_CAFILE=/nonexistent.pem \
		run -0 --separate-stderr xmpp-send -v -a alice -m hello "$rcpt"
	logged_in_as "$me"
}

@test "a missing XMPP_CAFILE gives 66 naming the file and the variable; a bad XMPP_SERVER 78" {
	XMPP_JID=$me XMPP_PASSWORD=$pw XMPP_SERVER=$XT_C2S XMPP_CAFILE=/nonexistent.pem \
		run --separate-stderr xmpp-send -m hello "$rcpt"
	[ "$status" -eq 66 ]
	one_error_line
	stderr_has "/nonexistent.pem"
	stderr_has "check XMPP_CAFILE"
	XMPP_JID=$me XMPP_PASSWORD=$pw XMPP_SERVER=localhost:port \
		run --separate-stderr xmpp-send -m hello "$rcpt"
	[ "$status" -eq 78 ]
	one_error_line
	stderr_has "XMPP_SERVER wants HOST[:PORT], got 'localhost:port'"
}

@test "a JID without any password gives 78 and says where to put one" {
	run --separate-stderr xmpp-send "${server_opts[@]}" --jid "$me" -m hello "$rcpt"
	[ "$status" -eq 78 ]
	one_error_line
	stderr_has "no password for $me"
	stderr_has "--password-file"
	stderr_has "XMPP_PASSWORD"
}

@test "the config file's unnamed account needs no flags: jid, password, server, cafile" {
	private "$cfg" <<-EOF
		# default account
		jid = $me
		password = $pw
		server = $XT_C2S
		cafile = $XT_CAFILE
	EOF
	run --separate-stderr xmpp-send -m hello "$rcpt"
	echo "$stderr"
	[ "$status" -eq 0 ]
}

@test "the config file's password-file (with ~/) and direct-tls keys work" {
	printf '%s\n' "$pw" | private "$HOME/secret"
	private "$cfg" <<-EOF
		jid = $me
		password-file = ~/secret
		server = $XT_C2S_TLS
		cafile = $XT_CAFILE
		direct-tls = yes
	EOF
	run --separate-stderr xmpp-send -m hello "$rcpt"
	echo "$stderr"
	[ "$status" -eq 0 ]
}

@test "the config file's password-cmd key works" {
	private "$cfg" <<-EOF
		jid = $me
		password-cmd = echo $pw
		server = $XT_C2S
		cafile = $XT_CAFILE
	EOF
	run --separate-stderr xmpp-send -m hello "$rcpt"
	echo "$stderr"
	[ "$status" -eq 0 ]
}

@test "--config FILE reads that file instead of the default one" {
	private "$HOME/elsewhere.conf" <<-EOF
		jid = $me
		password = $pw
		server = $XT_C2S
		cafile = $XT_CAFILE
	EOF
	run --separate-stderr xmpp-send --config "$HOME/elsewhere.conf" -m hello "$rcpt"
	echo "$stderr"
	[ "$status" -eq 0 ]
}

# three_accounts: a config file whose first account is $other (carol), then
# [alice] ($me) and [bob] ($rcpt).
three_accounts() {
	other=$(new_account carol)
	private "$cfg" <<-EOF
		jid = $other
		password = pw-${other%@*}
		server = $XT_C2S
		cafile = $XT_CAFILE

		[alice]
		jid = $me
		password = $pw
		server = $XT_C2S
		cafile = $XT_CAFILE

		[bob]
		jid = $rcpt
		password = pw-${rcpt%@*}
		server = $XT_C2S
		cafile = $XT_CAFILE
	EOF
}

# warnings: the last run's warning lines on stderr.
warnings() {
	grep "^xmpp-[a-z]*: warning: " <<<"$stderr" || true
}

@test "-a NAME picks the config file's [NAME] account; without it the top one" {
	three_accounts
	run --separate-stderr xmpp-send -v -a alice -m hello "$rcpt"
	[ "$status" -eq 0 ]
	logged_in_as "$me"
	run --separate-stderr xmpp-send -v -m hello "$rcpt"
	[ "$status" -eq 0 ]
	logged_in_as "$other"
}

@test "-a NAME beats an exported XMPP_JID, and one line says which is used" {
	three_accounts
	XMPP_JID=$other XMPP_PASSWORD=pw-${other%@*} run --separate-stderr \
		xmpp-send -v -a alice -m hello "$rcpt"
	[ "$status" -eq 0 ]
	logged_in_as "$me"
	[ "$(warnings | wc -l)" -eq 1 ]
	[[ $(warnings) == *"[alice] ($me) from -a, not XMPP_JID $other"* ]]
	# the same account both ways: nothing to say
	XMPP_JID=$me run --separate-stderr xmpp-send -a alice -m hello "$rcpt"
	[ "$status" -eq 0 ]
	[ -z "$stderr" ]
}

@test "XMPP_ACCOUNT picks the config file's account when -a is not given; -a beats it" {
	three_accounts
	XMPP_ACCOUNT=alice run --separate-stderr xmpp-send -v -m hello "$rcpt"
	[ "$status" -eq 0 ]
	logged_in_as "$me"
	XMPP_ACCOUNT=alice run --separate-stderr xmpp-send -v -a bob -m hello "$me"
	[ "$status" -eq 0 ]
	logged_in_as "$rcpt"
	XMPP_ACCOUNT=alice XMPP_JID=$other run --separate-stderr xmpp-send -v -m hello "$rcpt"
	[ "$status" -eq 0 ]
	logged_in_as "$me"
	[[ $(warnings) == *"[alice] ($me) from XMPP_ACCOUNT, not XMPP_JID $other"* ]]
	XMPP_ACCOUNT=nosuch run --separate-stderr xmpp-send -m hello "$rcpt"
	[ "$status" -eq 78 ]
	stderr_has "no account [nosuch] (named by XMPP_ACCOUNT)"
}

@test "a bot under -a bob replies from bob to the sender's bare JID, whatever XMPP_JID says" {
	three_accounts
	as "$me" xmpp-send "${server_opts[@]}" -m ping "$rcpt"
	XMPP_JID=$other run --separate-stderr xmpp-listen -a bob --offline --kind message \
		--count 1 --timeout 10 --exec 'printf "%s %s %s\n" "$XMPP_ACCOUNT" "$XMPP_TO" \
			"$XMPP_FROM_BARE" >"$HOME/env"; echo pong | xmpp-send -- "$XMPP_FROM_BARE"'
	[ "$status" -eq 0 ]
	cat "$HOME/env"
	[ "$(cat "$HOME/env")" = "bob $rcpt $me" ]
	run -0 --separate-stderr as "$me" xmpp-listen "${server_opts[@]}" --offline --json \
		--kind message --count 1 --timeout 10
	[ "$(jq -r .body <<<"$output")" = pong ]
	[[ $(jq -r .from <<<"$output") == "$rcpt/"* ]]
	[ "$(jq -r .to <<<"$output")" = "$me" ]
}

@test "-a with an account the config file does not have gives 78" {
	private "$cfg" <<-EOF
		jid = $me
		password = $pw
		server = $XT_C2S
		cafile = $XT_CAFILE
	EOF
	run --separate-stderr xmpp-send -a unknown -m hello "$rcpt"
	[ "$status" -eq 78 ]
	one_error_line
	stderr_has "unknown"
}

@test "a config file readable by others is refused (78, names it, says chmod 600)" {
	mkdir -p "$(dirname "$cfg")"
	printf 'jid = %s\npassword = %s\nserver = %s\ncafile = %s\n' \
		"$me" "$pw" "$XT_C2S" "$XT_CAFILE" >"$cfg"
	chmod 644 "$cfg"
	run --separate-stderr xmpp-send -m hello "$rcpt"
	[ "$status" -eq 78 ]
	one_error_line
	stderr_has "$cfg"
	stderr_has "chmod 600"
}

@test "XMPP_JID and XMPP_PASSWORD override the config file's account" {
	other=$(new_account carol)
	private "$cfg" <<-EOF
		jid = $other
		password = pw-${other%@*}
		server = $XT_C2S
		cafile = $XT_CAFILE
	EOF
	XMPP_JID=$me XMPP_PASSWORD=$pw run --separate-stderr \
		xmpp-send -v "${server_opts[@]}" -m hello "$rcpt"
	[ "$status" -eq 0 ]
	logged_in_as "$me"
}

@test "XMPP_PASSWORD overrides the config file's password" {
	private "$cfg" <<-EOF
		jid = $me
		password = not-the-password
		server = $XT_C2S
		cafile = $XT_CAFILE
	EOF
	XMPP_PASSWORD=$pw run --separate-stderr xmpp-send -m hello "$rcpt"
	echo "$stderr"
	[ "$status" -eq 0 ]
}

@test "--jid overrides XMPP_JID" {
	other=$(new_account carol)
	XMPP_JID=$other XMPP_PASSWORD=$pw run --separate-stderr \
		xmpp-send -v "${server_opts[@]}" --jid "$me" -m hello "$rcpt"
	[ "$status" -eq 0 ]
	logged_in_as "$me"
}

@test "--password-file and --password-cmd override XMPP_PASSWORD" {
	printf '%s\n' "$pw" | private "$HOME/pw"
	XMPP_JID=$me XMPP_PASSWORD=not-the-password run --separate-stderr \
		xmpp-send "${server_opts[@]}" --password-file "$HOME/pw" -m hello "$rcpt"
	echo "$stderr"
	[ "$status" -eq 0 ]
	XMPP_JID=$me XMPP_PASSWORD=not-the-password run --separate-stderr \
		xmpp-send "${server_opts[@]}" --password-cmd "echo $pw" -m hello "$rcpt"
	echo "$stderr"
	[ "$status" -eq 0 ]
}

@test "go-sendxmpp's config is used when there is no xmpp-tools config" {
	private "$XDG_CONFIG_HOME/go-sendxmpp/config" <<-EOF
		username: $me
		password: $pw
		jserver: ${XT_C2S%:*}
		port: ${XT_C2S##*:}
	EOF
	run --separate-stderr xmpp-send -v --cafile "$XT_CAFILE" -m hello "$rcpt"
	[ "$status" -eq 0 ]
	logged_in_as "$me"
}

@test "an xmpp-tools config wins over go-sendxmpp's" {
	other=$(new_account carol)
	private "$XDG_CONFIG_HOME/go-sendxmpp/config" <<-EOF
		username: $other
		password: pw-${other%@*}
		jserver: ${XT_C2S%:*}
		port: ${XT_C2S##*:}
	EOF
	private "$cfg" <<-EOF
		jid = $me
		password = $pw
		server = $XT_C2S
		cafile = $XT_CAFILE
	EOF
	run --separate-stderr xmpp-send -v -m hello "$rcpt"
	[ "$status" -eq 0 ]
	logged_in_as "$me"
}

@test "with no account anywhere: 78 and a message saying how to set one" {
	run --separate-stderr xmpp-send "${server_opts[@]}" -m hello "$rcpt"
	[ "$status" -eq 78 ]
	one_error_line
	stderr_has "no account"
	stderr_has "--jid"
	stderr_has "XMPP_JID"
	stderr_has "config file"
}

@test "with no account anywhere the message names the config file it would read, and the variables" {
	run --separate-stderr xmpp-send "${server_opts[@]}" -m hello "$rcpt"
	[ "$status" -eq 78 ]
	one_error_line
	stderr_has "put one in the config file $XDG_CONFIG_HOME/xmpp-tools/config"
	stderr_has "XMPP_JID and XMPP_PASSWORD"
	unset XDG_CONFIG_HOME
	run --separate-stderr xmpp-send "${server_opts[@]}" -m hello "$rcpt"
	[ "$status" -eq 78 ]
	stderr_has "put one in the config file $HOME/.config/xmpp-tools/config"
}

@test "a wrong password gives 77" {
	XMPP_JID=$me XMPP_PASSWORD=not-the-password run --separate-stderr \
		xmpp-send "${server_opts[@]}" -m hello "$rcpt"
	[ "$status" -eq 77 ]
	one_error_line
	stderr_has "$me"
}

@test "the password is not in ps output while a tool runs (--password-file)" {
	printf '%s\n' "$pw" | private "$HOME/pw"
	xmpp-listen "${server_opts[@]}" --jid "$me" --password-file "$HOME/pw" \
		--json -v >"$HOME/out" 2>"$HOME/out.err" &
	LISTEN_PID=$!
	wait_for "$HOME/out.err" '^> <presence'
	procs=$(ps -eo args)
	# the listener is there to be seen, with its options
	[[ $procs == *"xmpp-listen"*"--password-file $HOME/pw"* ]]
	if [[ $procs == *"$pw"* ]]; then
		echo "password found in ps output:" >&2
		grep -F -- "$pw" <<<"$procs" >&2
		return 1
	fi
}

@test "the password is not in ps output while a tool runs (environment)" {
	listen_bg "$me" "$HOME/out"
	procs=$(ps -eo args)
	[[ $procs == *"xmpp-listen"* ]]
	if [[ $procs == *"$pw"* ]]; then
		echo "password found in ps output:" >&2
		grep -F -- "$pw" <<<"$procs" >&2
		return 1
	fi
}

# b64prefix STRING: what any base64 encoding of a text starting with STRING
# starts with (its whole 3-byte groups).
b64prefix() {
	local n=$((${#1} / 3 * 3))
	printf '%s' "${1:0:n}" | base64 -w0
}

@test "-v shows the stream but never the password or the SASL payloads" {
	local lp=${me%@*} line b64 sasl='^[<>] <(auth|response|challenge|success)[ >]'
	XMPP_JID=$me XMPP_PASSWORD=$pw run --separate-stderr \
		xmpp-send -v "${server_opts[@]}" -m hello "$rcpt"
	[ "$status" -eq 0 ]
	# the stream is there, and the authentication step with it, redacted
	stderr_has "<stream:stream"
	printf '%s\n' "${stderr_lines[@]}" | grep -E '^> <auth [^>]*>\[redacted\]</auth>$'
	for line in "${stderr_lines[@]}"; do
		if [[ $line =~ $sasl ]] &&
		   [[ $line != *'>[redacted]</'* && $line != *'/>' ]]; then
			echo "SASL element not redacted: $line" >&2
			return 1
		fi
	done
	for b64 in \
		"$pw" \
		"$(printf '%s' "$pw" | base64 -w0)" \
		"$(printf '\0%s\0%s' "$lp" "$pw" | base64 -w0)" \
		"$(printf '\0%s\0%s' "$me" "$pw" | base64 -w0)" \
		"$(printf '%s\0%s\0%s' "$me" "$lp" "$pw" | base64 -w0)" \
		"$(b64prefix "n,,n=$lp,r=")"; do
		if [[ $stderr == *"$b64"* ]]; then
			echo "-v output contains '$b64':" >&2
			echo "$stderr" >&2
			return 1
		fi
	done
}
