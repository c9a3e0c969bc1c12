#!/usr/bin/env bats
# What a server may say must not take over the terminal or forge output:
# diagnostics show control characters escaped, on one line; and what
# xmpp-sendfile is handed (a slot's URLs) or given (--name, --content-type) is
# checked before it is used. The scripted server is
# tests/tools/hostile-server.py (see its header).

load helpers

password=pw-Upload-S3cret

setup() {
	HOSTILE_PID=
	d=$BATS_TEST_TMPDIR
	printf 'the file\n' >"$d/f.txt"
}

teardown() {
	if [ -n "$HOSTILE_PID" ]; then
		kill "$HOSTILE_PID" 2>/dev/null || true
		wait "$HOSTILE_PID" 2>/dev/null || true
	fi
}

# scripted SCENARIO [SERVER_OPTION...]: starts hostile-server.py with
# SCENARIO; sets PORT, and HTTPS to its --https port if asked for one.
scripted() {
	local want=1
	[[ " $* " != *" --https "* ]] || want=2
	python3 "$BATS_TEST_DIRNAME/tools/hostile-server.py" --lifetime 60 "$@" \
		>"$d/ports" 2>"$d/server.log" &
	HOSTILE_PID=$!
	wait_lines "$d/ports" "$want"
	PORT=$(sed -n 1p "$d/ports")
	HTTPS=$(sed -n 2p "$d/ports")
}

# through TOOL ARGS...: TOOL as alice@example.test through the scripted
# server, under `run --separate-stderr`, 20 s at most.
through() {
	local tool=$1
	shift
	XMPP_PASSWORD=$password run --separate-stderr timeout 20 "$tool" \
		-j alice@example.test --server "127.0.0.1:$PORT" --cafile "$XT_CAFILE" \
		--connect-timeout 3 "$@"
}

# slot PUT GET: xmpp-sendfile --no-send f.txt, the scripted service handing
# out the slot PUT, GET; {https} in them is its HTTPS port, which
# upload.example.test resolves to.
slot() {
	scripted upload-slot --https --put "$1" --get "$2"
	through xmpp-sendfile --resolve "upload.example.test:$HTTPS:127.0.0.1" \
		--no-send "$d/f.txt"
}

# no_raw_controls: the last run's stderr holds no ESC, CR, C1 CSI or BiDi
# override, and one line only.
no_raw_controls() {
	if [[ $stderr == *[$'\e\r']* || $stderr == *$'\xc2\x9b'* || $stderr == *$'\xe2\x80\xae'* ]]; then
		printf 'raw control characters on stderr:\n%s\n' "$stderr" | cat -v >&2
		return 1
	fi
	one_error_line "${1:-xmpp-send}"
}

good=https://upload.example.test:{https}/f.txt

# ---- diagnostics ----

@test "a stream error's text is shown escaped: no forged line, no terminal control" {
	scripted stream-error-text
	through xmpp-send -m hi bob@example.test
	[ "$status" -eq 76 ]
	no_raw_controls
	stderr_has 'with an error: bye\u{009B}2J\nxmpp-send: delivered \u{202E}txt.exe'
}

@test "a certificate name holding ESC and a newline is shown escaped" {
	local certs=$XT_TEST_DIR/certs
	openssl req -new -newkey rsa:2048 -nodes -keyout "$d/evil.key" -out "$d/evil.csr" \
		-subj "/CN=evil"$'\e'"[2J"$'\n'"xmpp-send: delivered" 2>/dev/null
	openssl x509 -req -in "$d/evil.csr" -CA "$certs/ca.crt" -CAkey "$certs/ca.key" \
		-CAcreateserial -CAserial "$d/serial" -days 1 -out "$d/evil.crt" 2>/dev/null
	scripted ok --cert "$d/evil.crt" --key "$d/evil.key"
	through xmpp-send -m hi bob@example.test
	[ "$status" -eq 79 ]
	no_raw_controls
	stderr_has 'certificate name mismatch: it is for CN=evil\x1B[2J\nxmpp-send: delivered, not example.test'
}

# ---- the slot's URLs ----

@test "the scripted upload service's good slot uploads (the baseline)" {
	slot "$good" "$good"
	[ "$status" -eq 0 ]
	[ "$output" = "https://upload.example.test:$HTTPS/f.txt" ]
	grep -q '"PUT /f.txt' "$d/server.log"
}

@test "a GET URL with a newline is refused (76) and forges no line of output" {
	slot "$good" "$good"$'\nhttps://evil.example/delivered'
	[ "$status" -eq 76 ]
	[ "$output" = "" ]
	no_raw_controls xmpp-sendfile
	stderr_has 'f.txt: the upload slot'\''s GET URL is not a valid https URL'
	stderr_has 'f.txt\nhttps://evil.example/delivered'
}

@test "slot URLs with spaces, controls, user:password or no host are refused (76)" {
	local bad
	for bad in "$good"' x' "$good"$'\t' "https://user:pw@upload.example.test:{https}/f" \
		'https://:443/f.txt' '/f.txt' "https://upload.example.test:{https}/"$'\xe2\x80\xae'txt.exe; do
		slot "$bad" "$good"
		[ "$status" -eq 76 ] || { echo "$bad: $status: $stderr" >&2; return 1; }
		no_raw_controls xmpp-sendfile
		stderr_has "PUT URL is not a valid https URL"
		[ "$output" = "" ]
		kill "$HOSTILE_PID"
		wait "$HOSTILE_PID" 2>/dev/null || true
	done
}

# own_netns CMD...: CMD in a network namespace of its own. As root a plain
# one: a chroot (tests/debian13.sh) may not make the user namespace that
# unshare -r needs, and root needs none.
own_netns() {
	if [ "$(id -u)" = 0 ]; then unshare -n "$@"; else unshare -rn "$@"; fi
}

# isolated_slot PUT: xmpp-sendfile --no-send f.txt through the scripted
# service handing out a slot to PUT, both in a network namespace of their
# own where only loopback exists: should the PUT be tried, it reaches
# nothing beyond this machine (169.254.169.254 may well answer here).
isolated_slot() {
	own_netns bash -c '
		ip link set lo up || exit 99
		rm -f "$3/ports"
		python3 "$1" --lifetime 30 upload-slot --put "$2" >"$3/ports" 2>"$3/server.log" &
		for i in $(seq 100); do grep -qx "[0-9][0-9]*" "$3/ports" 2>/dev/null && break; sleep 0.1; done
		XMPP_PASSWORD=$4 timeout 20 xmpp-sendfile -j alice@example.test \
			--server "127.0.0.1:$(cat "$3/ports")" --cafile "$XT_CAFILE" \
			--connect-timeout 3 --no-send "$3/f.txt"
		rc=$?
		kill $!
		exit $rc' sh "$BATS_TEST_DIRNAME/tools/hostile-server.py" "$1" "$d" "$password"
}

@test "a slot that would PUT to a link-local, private or unspecified address is refused (76)" {
	own_netns true 2>/dev/null || skip "no network namespace to keep the PUT in"
	local addr
	# the server is on loopback: only loopback uploads are allowed
	for addr in 169.254.169.254 10.0.0.1 192.168.1.1 0.0.0.0 '[::ffff:169.254.169.254]' \
		'[fe80::1]' '[fd00::1]'; do
		run --separate-stderr isolated_slot "https://$addr/latest/meta-data"
		[ "$status" -eq 76 ] || { echo "$addr: $status: $stderr" >&2; return 1; }
		one_error_line xmpp-sendfile
		stderr_has "f.txt: the upload host $addr is at "
		stderr_has "(not public), unlike the XMPP server (127.0.0.1, loopback): refusing"
	done
}

@test "a loopback upload host is allowed when the XMPP server is on loopback" {
	slot "https://localhost:{https}/f.txt" "$good"
	# not refused as an address: the certificate, for example.test, is
	# what fails (79)
	[ "$status" -eq 79 ]
	[[ $stderr != *refusing* ]]
}

# ---- what xmpp-sendfile announces ----

# refused_before_connecting OPTION...: xmpp-sendfile with the options exits
# 65 with one line naming what is wrong, and -v shows nothing was sent.
refused_before_connecting() {
	XMPP_PASSWORD=$password run --separate-stderr xmpp-sendfile -v -j alice@example.test \
		--server 127.0.0.1:9 --cafile "$XT_CAFILE" --no-send "$@"
	[ "$status" -eq 65 ] || { echo "status $status: $stderr" >&2; return 1; }
	no_raw_controls xmpp-sendfile
}

@test "a --content-type holding CR LF exits 65 before connecting: no header is smuggled" {
	refused_before_connecting --content-type $'text/plain\r\nX-Injected: yes' "$d/f.txt"
	stderr_has '--content-type: control character'
	stderr_has 'text/plain\x0D\nX-Injected: yes'
}

@test "a --name with invalid UTF-8, a control character or a slash exits 65 before connecting" {
	refused_before_connecting --name $'bad\xff.txt' "$d/f.txt"
	stderr_has '--name: invalid UTF-8'
	refused_before_connecting --name $'two\nlines.txt' "$d/f.txt"
	stderr_has '--name: control character'
	refused_before_connecting --name ../up.txt "$d/f.txt"
	stderr_has '--name: a file name, without /'
	refused_before_connecting --name '' "$d/f.txt"
	stderr_has '--name: empty'
}

@test "a file whose name holds a newline or invalid UTF-8 exits 65 before connecting" {
	printf 'x\n' >"$d/"$'evil\nname.txt'
	refused_before_connecting "$d/"$'evil\nname.txt'
	stderr_has 'evil\nname.txt: control character'
	stderr_has '(--name NAME announces another)'
	printf 'x\n' >"$d/"$'latin\xe9.txt'
	refused_before_connecting "$d/"$'latin\xe9.txt'
	stderr_has 'latin\xE9.txt: invalid UTF-8'
	# with --name, the path's own name is not announced
	XMPP_PASSWORD=$password run --separate-stderr xmpp-sendfile -j alice@example.test \
		--server 127.0.0.1:9 --cafile "$XT_CAFILE" --no-send --name ok.txt "$d/"$'latin\xe9.txt'
	[ "$status" -eq 69 ]
}
