#!/usr/bin/env bats
# xmpp-sendfile: what is uploaded downloads back byte-identical (checked by
# SHA-256, also with --aesgcm), the links reach people and rooms, and what
# cannot be uploaded is refused with the right exit status and one clear line.

bats_require_minimum_version 1.5.0

setup() {
	load helpers
	LISTEN_PID=
	me=$(new_account alice)
	you=$(new_account bob)
	out=$BATS_TEST_TMPDIR/out
	d=$BATS_TEST_TMPDIR
}

teardown() {
	stop_listener
	if [ -n "${STALL_PID:-}" ]; then
		kill "$STALL_PID" 2>/dev/null || true
		wait "$STALL_PID" 2>/dev/null || true
	fi
}

# stall_server MODE: tools/stall-http.py on 127.0.0.2 at the upload port,
# with the upload host's certificate, so that --resolve "$stall_resolve"
# sends the PUT there; its log of connections is $d/stall.log.
stall_server() {
	local port=${XT_UPLOAD_RESOLVE#*:}
	port=${port%%:*}
	stall_resolve=upload.example.test:$port:127.0.0.2
	"$BATS_TEST_DIRNAME/tools/stall-http.py" "$1" 127.0.0.2 "$port" \
		"$XT_TEST_DIR/certs/example.test.crt" "$XT_TEST_DIR/certs/example.test.key" \
		>"$d/stall.log" 3>&- &
	STALL_PID=$!
	wait_for "$d/stall.log" '^ready'
}

# The stall tests' --connect-timeout: short, so that they take seconds, yet
# longer than logging in takes, which it also bounds. Under valgrind
# (tests/valgrind.sh sets XT_VALGRIND) logging in alone takes 3 s.
stall_s=2
[ -z "${XT_VALGRIND:-}" ] || stall_s=10

# stalled ARGS...: xmpp-sendfile as $me --no-send --connect-timeout $stall_s,
# the PUT to the stalling server; killed after 90 s, so that a hang fails
# the test.
stalled() {
	as "$me" timeout 90 xmpp-sendfile "${server_opts[@]}" --resolve "$stall_resolve" \
		--no-send --connect-timeout "$stall_s" "$@"
}

# fetch URL FILE: downloads URL into FILE, failing on an HTTP error.
fetch() {
	curl -sSf --cacert "$XT_CAFILE" --resolve "$XT_UPLOAD_RESOLVE" -o "$2" "$1"
}

# sha FILE: its SHA-256 in hex.
sha() {
	sha256sum "$1" | cut -d' ' -f1
}

# expect ACTUAL EXPECTED: compares, showing both on failure.
expect() {
	if [ "$1" != "$2" ]; then
		printf 'expected:\n%s\ngot:\n%s\n' "$2" "$1" >&2
		return 1
	fi
}

# round_trip FILE JSON: the JSON line describes FILE (size, sha256), and its
# url downloads back as FILE, byte for byte.
round_trip() {
	local file=$1 json=$2 got
	got=$d/download.$RANDOM
	expect "$(jq -r .size <<<"$json")" "$(stat -c %s "$file")"
	expect "$(jq -r .sha256 <<<"$json")" "$(sha "$file")"
	[[ "$(jq -r .url <<<"$json")" == https://upload.example.test:* ]]
	fetch "$(jq -r .url <<<"$json")" "$got"
	expect "$(sha "$got")" "$(sha "$file")"
}

# ---- round trips ----

@test "a small text file uploads and downloads back identical" {
	printf 'hello, upload\nsecond line\n' >"$d/note.txt"
	run -0 --separate-stderr sendfile --no-send --json "$d/note.txt"
	expect "${#lines[@]}" 1
	expect "$(jq -r .file <<<"$output")" note.txt
	round_trip "$d/note.txt" "$output"
}

@test "an empty file uploads and downloads back empty" {
	: >"$d/empty.txt"
	if [ "$XT_SERVER" = ejabberd ]; then
		# ejabberd 23.01 gives no slot for size 0 (XEP-0363 leaves the
		# service free to refuse): 76 with its condition, once
		run -76 --separate-stderr sendfile --no-send --json "$d/empty.txt"
		one_error_line xmpp-sendfile
		stderr_has "empty.txt: the server refused an upload slot: bad-request"
		return
	fi
	run -0 --separate-stderr sendfile --no-send --json "$d/empty.txt"
	expect "$(jq -r .size <<<"$output")" 0
	expect "$(jq -r .sha256 <<<"$output")" \
		e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855
	round_trip "$d/empty.txt" "$output"
}

@test "binary files (random bytes, NULs included) and a 5 MiB file download back identical" {
	head -c 70000 /dev/urandom >"$d/random.bin"
	printf '\0\0\r\n\0\xff' >>"$d/random.bin"
	head -c 5M /dev/urandom >"$d/big.bin"
	run -0 --separate-stderr sendfile --no-send --json "$d/random.bin"
	round_trip "$d/random.bin" "$output"
	run -0 --separate-stderr sendfile --no-send --json "$d/big.bin"
	expect "$(jq -r .size <<<"$output")" 5242880
	round_trip "$d/big.bin" "$output"
}

@test "standard input from a pipe uploads under --name" {
	head -c 300000 /dev/urandom >"$d/piped"
	piped() { cat "$d/piped" | sendfile --no-send --json --name x.bin -; }
	run -0 --separate-stderr piped
	expect "${#lines[@]}" 1
	expect "$(jq -r .file <<<"$output")" x.bin
	[[ "$(jq -r .url <<<"$output")" == */x.bin ]]
	round_trip "$d/piped" "$output"
}

@test "standard input redirected from a file uploads whole" {
	head -c 123457 /dev/urandom >"$d/redirected"
	run -0 --separate-stderr sendfile --no-send --json --name r.bin - <"$d/redirected"
	expect "$(jq -r .file <<<"$output")" r.bin
	round_trip "$d/redirected" "$output"
}

@test "tar c dir | xmpp-sendfile --name dir.tar - uploads the archive" {
	mkdir -p "$d/dir/sub"
	printf 'one\n' >"$d/dir/a.txt"
	head -c 20000 /dev/urandom >"$d/dir/sub/b.bin"
	tarred() { tar -C "$d" -c dir | tee "$d/sent.tar" | sendfile --no-send --json --name dir.tar -; }
	run -0 --separate-stderr tarred
	expect "$(jq -r .file <<<"$output")" dir.tar
	expect "$(jq -r .content_type <<<"$output")" application/x-tar
	round_trip "$d/sent.tar" "$output"
	# and it unpacks to the same tree
	mkdir "$d/unpacked"
	fetch "$(jq -r .url <<<"$output")" "$d/got.tar"
	tar -C "$d/unpacked" -xf "$d/got.tar"
	diff -r "$d/dir" "$d/unpacked/dir"
}

@test "several files in one call give one link each, in order" {
	printf 'first\n' >"$d/one.txt"
	printf 'second\n' >"$d/two.txt"
	head -c 4096 /dev/urandom >"$d/three.bin"
	run -0 --separate-stderr sendfile --no-send --json "$d/one.txt" "$d/two.txt" "$d/three.bin"
	expect "${#lines[@]}" 3
	expect "$(jq -r .file <<<"$output" | tr '\n' ' ')" "one.txt two.txt three.bin "
	expect "$(jq -r .url <<<"$output" | sort -u | wc -l)" 3
	round_trip "$d/one.txt" "${lines[0]}"
	round_trip "$d/two.txt" "${lines[1]}"
	round_trip "$d/three.bin" "${lines[2]}"
}

@test "without --json each link is printed on its own line" {
	printf 'first\n' >"$d/one.txt"
	printf 'second\n' >"$d/two.txt"
	run -0 --separate-stderr sendfile --no-send "$d/one.txt" "$d/two.txt"
	expect "${#lines[@]}" 2
	[[ ${lines[0]} == https://upload.example.test:*/one.txt ]]
	[[ ${lines[1]} == https://upload.example.test:*/two.txt ]]
	fetch "${lines[1]}" "$d/got"
	cmp "$d/two.txt" "$d/got"
}

# ---- Content-Type ----

@test "Content-Type is guessed from the name: .png is image/png, .txt text/plain" {
	printf '\x89PNG\r\n\x1a\n' >"$d/pic.png"
	printf 'text\n' >"$d/read.txt"
	run -0 --separate-stderr sendfile --no-send --json "$d/pic.png" "$d/read.txt"
	expect "$(jq -r .content_type <<<"${lines[0]}")" image/png
	expect "$(jq -r .content_type <<<"${lines[1]}")" text/plain
	expect "$(curl -sSf --cacert "$XT_CAFILE" --resolve "$XT_UPLOAD_RESOLVE" -o /dev/null \
		-w '%{content_type}' "$(jq -r .url <<<"${lines[0]}")")" image/png
	[[ "$(curl -sSf --cacert "$XT_CAFILE" --resolve "$XT_UPLOAD_RESOLVE" -o /dev/null \
		-w '%{content_type}' "$(jq -r .url <<<"${lines[1]}")")" == text/plain* ]]
}

@test "--content-type overrides the guessed Content-Type: in the slot request and the download" {
	printf '\x89PNG\r\n\x1a\n' >"$d/pic.png"
	run -0 --separate-stderr sendfile -v --no-send --json --content-type application/x-custom "$d/pic.png"
	expect "$(jq -r .content_type <<<"$output")" application/x-custom
	# what the server was asked for a slot
	[[ $stderr =~ \<request\ [^\>]*content-type=.application/x-custom. ]]
	# ejabberd serves a download with the type its name suggests, whatever
	# the slot said (XEP-0363 leaves the GET's headers to the service)
	[ "$XT_SERVER" != ejabberd ] || return 0
	expect "$(curl -sSf --cacert "$XT_CAFILE" --resolve "$XT_UPLOAD_RESOLVE" -o /dev/null \
		-w '%{content_type}' "$(jq -r .url <<<"$output")")" application/x-custom
}

@test "--type image/png exits 64 before connecting, pointing to --content-type" {
	printf '\x89PNG\r\n\x1a\n' >"$d/pic.png"
	run -64 --separate-stderr sendfile -v --type image/png "$d/pic.png" "$you"
	one_error_line xmpp-sendfile
	stderr_has "got 'image/png'"
	stderr_has "the file's Content-Type goes in --content-type"
	expect "$output" ""
}

@test "--type takes what xmpp-send's -t takes: a typo exits 64 naming the values, as xmpp-send" {
	printf 'x\n' >"$d/f.txt"
	run -64 --separate-stderr sendfile --type headlin "$d/f.txt" "$you"
	one_error_line xmpp-sendfile
	stderr_has "chat, normal, headline or groupchat, got 'headlin'"
	local theirs=${stderr#xmpp-sendfile: }
	run -64 --separate-stderr as "$me" xmpp-send -t headlin -m x "$you"
	one_error_line xmpp-send
	# the same words, from the same code
	expect "${stderr#xmpp-send: }" "${theirs/xmpp-sendfile --help/xmpp-send --help}"
	run -64 --separate-stderr sendfile -t Chat "$d/f.txt" "$you"
	one_error_line xmpp-sendfile
}

# ---- sending the link ----

@test "the recipient gets a message with the link as body and as OOB url" {
	printf 'for you\n' >"$d/gift.txt"
	listen_bg "$you" "$out"
	run -0 --separate-stderr sendfile "$d/gift.txt" "$you"
	expect "${#lines[@]}" 1
	local url=${lines[0]}
	[[ $url == https://upload.example.test:*/gift.txt ]]
	wait_for "$out" '"url"'
	jq -c 'select(.kind == "message" and .body != null)' "$out" >"$out.msg"
	expect "$(wc -l <"$out.msg")" 1
	expect "$(jq -r .body "$out.msg")" "$url"
	expect "$(jq -r .url "$out.msg")" "$url"
	expect "$(jq -r .type "$out.msg")" chat
	[[ "$(jq -r .from "$out.msg")" == "$me/"* ]]
	fetch "$url" "$d/got"
	cmp "$d/gift.txt" "$d/got"
}

@test "--type headline: the link arrives at the recipient as a headline" {
	printf 'news\n' >"$d/news.txt"
	listen_bg "$you" "$out"
	run -0 --separate-stderr sendfile --type headline "$d/news.txt" "$you"
	expect "${#lines[@]}" 1
	wait_for "$out" '/news.txt"'
	jq -c 'select(.kind == "message" and .body != null)' "$out" >"$out.msg"
	expect "$(wc -l <"$out.msg")" 1
	expect "$(jq -r .type "$out.msg")" headline
	expect "$(jq -r .url "$out.msg")" "${lines[0]}"
	# the Content-Type is still guessed from the name
	[[ "$(curl -sSf --cacert "$XT_CAFILE" --resolve "$XT_UPLOAD_RESOLVE" -o /dev/null \
		-w '%{content_type}' "${lines[0]}")" == text/plain* ]]
}

@test "-t normal: the link arrives as a normal message; rooms still get groupchat" {
	local room=files-$BATS_SUITE_TEST_NUMBER-$RANDOM@rooms.example.test
	printf 'a letter\n' >"$d/letter.txt"
	listen_bg "$you" "$out" --muc "$room"
	run -0 --separate-stderr sendfile -t normal --muc "$room" "$d/letter.txt" "$you"
	local i
	# two links: the room's reflection and bob's message
	for i in $(seq 1 200); do
		[ "$(grep -c '/letter.txt"' "$out")" -ge 2 ] && break
		sleep 0.05
	done
	expect "$(jq -r 'select(.body != null and (.body | endswith("/letter.txt"))) | .type' "$out" |
		sort | paste -sd' ')" "groupchat normal"
}

@test "several files to a recipient send one message per link" {
	printf 'a\n' >"$d/a.txt"
	printf 'b\n' >"$d/b.txt"
	listen_bg "$you" "$out"
	run -0 --separate-stderr sendfile "$d/a.txt" "$d/b.txt" "$you"
	expect "${#lines[@]}" 2
	wait_for "$out" '/b.txt"'
	wait_for "$out" '/a.txt"'
	jq -c 'select(.kind == "message" and .body != null)' "$out" >"$out.msg"
	expect "$(jq -r .body "$out.msg")" "$(printf '%s\n' "${lines[@]}")"
	expect "$(jq -r .url "$out.msg")" "$(printf '%s\n' "${lines[@]}")"
}

@test "--muc sends the link to the room as groupchat" {
	local room=files-$BATS_SUITE_TEST_NUMBER-$RANDOM@rooms.example.test
	printf 'for the room\n' >"$d/room.txt"
	listen_bg "$you" "$out" --muc "$room"
	run -0 --separate-stderr sendfile --muc "$room" --nick Uploader "$d/room.txt"
	expect "${#lines[@]}" 1
	wait_for "$out" '/room.txt"'
	jq -c 'select(.body == "'"${lines[0]}"'")' "$out" >"$out.msg"
	expect "$(wc -l <"$out.msg")" 1
	expect "$(jq -r .type "$out.msg")" groupchat
	expect "$(jq -r .url "$out.msg")" "${lines[0]}"
	expect "$(jq -r .muc.room "$out.msg")" "$room"
	expect "$(jq -r .from "$out.msg")" "$room/Uploader"
}

# ---- encryption ----

@test "--aesgcm uploads ciphertext; the aesgcm:// link decrypts to the file" {
	head -c 200000 /dev/urandom >"$d/secret.bin"
	run -0 --separate-stderr sendfile --no-send --json --aesgcm "$d/secret.bin"
	local url frag https
	url=$(jq -r .url <<<"$output")
	[[ $url == aesgcm://upload.example.test:*/secret.bin#* ]]
	frag=${url#*#}
	[[ $frag =~ ^[0-9a-f]{88}$ ]]
	# the JSON describes the plaintext
	expect "$(jq -r .size <<<"$output")" 200000
	expect "$(jq -r .sha256 <<<"$output")" "$(sha "$d/secret.bin")"
	# the server holds ciphertext plus the 16-byte tag, not the file
	https=https://${url#aesgcm://}
	fetch "${https%%#*}" "$d/cipher"
	expect "$(stat -c %s "$d/cipher")" 200016
	refute cmp -s <(head -c 200000 "$d/cipher") "$d/secret.bin"
	# and the link decrypts to the file
	"$BATS_TEST_DIRNAME/tools/aesgcm-get.py" "$url" "$XT_CAFILE" "$XT_UPLOAD_RESOLVE" >"$d/plain"
	expect "$(sha "$d/plain")" "$(sha "$d/secret.bin")"
}

@test "--aesgcm works for files that end exactly at a read boundary" {
	local size url
	for size in 524288 1048576; do
		head -c "$size" /dev/urandom >"$d/edge.bin"
		run -0 --separate-stderr sendfile --no-send --aesgcm --connect-timeout 10 "$d/edge.bin"
		url=$output
		"$BATS_TEST_DIRNAME/tools/aesgcm-get.py" "$url" "$XT_CAFILE" "$XT_UPLOAD_RESOLVE" >"$d/plain"
		cmp "$d/edge.bin" "$d/plain"
	done
}

@test "--aesgcm of an empty file uploads just the tag, which decrypts to nothing" {
	: >"$d/empty.bin"
	run -0 --separate-stderr sendfile --no-send --aesgcm --connect-timeout 10 "$d/empty.bin"
	local https=https://${output#aesgcm://}
	fetch "${https%%#*}" "$d/cipher"
	expect "$(stat -c %s "$d/cipher")" 16
	"$BATS_TEST_DIRNAME/tools/aesgcm-get.py" "$output" "$XT_CAFILE" "$XT_UPLOAD_RESOLVE" >"$d/plain"
	expect "$(stat -c %s "$d/plain")" 0
}

@test "--aesgcm draws a fresh key for each file" {
	printf 'same\n' >"$d/s1.txt"
	printf 'same\n' >"$d/s2.txt"
	run -0 --separate-stderr sendfile --no-send --json --aesgcm "$d/s1.txt" "$d/s2.txt"
	expect "${#lines[@]}" 2
	[ "$(jq -r '.url | split("#")[1]' <<<"${lines[0]}")" != \
	  "$(jq -r '.url | split("#")[1]' <<<"${lines[1]}")" ]
	"$BATS_TEST_DIRNAME/tools/aesgcm-get.py" "$(jq -r .url <<<"${lines[1]}")" \
		"$XT_CAFILE" "$XT_UPLOAD_RESOLVE" >"$d/plain"
	cmp "$d/s2.txt" "$d/plain"
}

@test "--encrypt omemo with --no-send exits 64 before connecting, pointing to --aesgcm --no-send" {
	printf 'x\n' >"$d/f.txt"
	run -64 --separate-stderr sendfile -v --encrypt omemo --no-send "$d/f.txt"
	one_error_line xmpp-sendfile
	stderr_has "--no-send sends none: --aesgcm --no-send prints the links"
	expect "$output" ""
}

@test "--encrypt takes what xmpp-send's takes: another method exits 64 as xmpp-send" {
	printf 'x\n' >"$d/f.txt"
	run -64 --separate-stderr sendfile -v --encrypt pgp "$d/f.txt" "$you"
	one_error_line xmpp-sendfile
	stderr_has "--encrypt: want omemo, got 'pgp'"
	local theirs=${stderr#xmpp-sendfile: }
	run -64 --separate-stderr as "$me" xmpp-send --encrypt pgp -m x "$you"
	one_error_line xmpp-send
	expect "${stderr#xmpp-send: }" "$theirs"
}

@test "--encrypt omemo with --muc exits 64 before connecting: a room would read the key" {
	printf 'x\n' >"$d/f.txt"
	run -64 --separate-stderr sendfile -v --encrypt omemo --muc room@conference.example.test "$d/f.txt"
	one_error_line xmpp-sendfile
	stderr_has "not with --muc"
	expect "$output" ""
}

# ---- output ----

@test "no progress bar when stderr is not a terminal: stderr stays empty" {
	head -c 1M /dev/urandom >"$d/quiet.bin"
	run -0 --separate-stderr sendfile --no-send "$d/quiet.bin"
	expect "$stderr" ""
	expect "${#lines[@]}" 1
}

# ---- failures ----

@test "a file over the server's limit exits 65 before upload, giving both sizes" {
	truncate -s 65M "$d/huge.bin"
	run -65 --separate-stderr sendfile --no-send --json "$d/huge.bin"
	one_error_line xmpp-sendfile
	stderr_has huge.bin
	stderr_has 68157440
	stderr_has 67108864
	expect "$output" ""
	# no slot was even asked for
	run -65 --separate-stderr sendfile -v --no-send "$d/huge.bin"
	[[ $stderr != *"urn:xmpp:http:upload:0\" filename"* ]]
	[[ $stderr != *"<request "* ]]
}

@test "one good file and one over the limit: exits 80, the good one is uploaded" {
	truncate -s 65M "$d/huge.bin"
	printf 'the good one\n' >"$d/good.txt"
	run -80 --separate-stderr sendfile --no-send --json "$d/huge.bin" "$d/good.txt"
	one_error_line xmpp-sendfile
	stderr_has huge.bin
	expect "${#lines[@]}" 1
	expect "$(jq -r .file <<<"$output")" good.txt
	round_trip "$d/good.txt" "$output"
}

@test "the upload server down exits 69 with one clear error line" {
	printf 'nowhere\n' >"$d/down.txt"
	local port=${XT_UPLOAD_RESOLVE#*:}
	port=${port%%:*}
	run -69 --separate-stderr as "$me" xmpp-sendfile "${server_opts[@]}" \
		--resolve "upload.example.test:$port:127.0.0.2" --no-send "$d/down.txt"
	one_error_line xmpp-sendfile
	stderr_has down.txt
	# the host is named: which of the slot's hosts was down
	stderr_has "upload to upload.example.test:$port failed"
	expect "$output" ""
}

@test "an upload host that does not resolve: 69 naming it, and --resolve as a fix" {
	printf 'nowhere\n' >"$d/unresolved.txt"
	# no --resolve: upload.example.test is in no DNS
	run -69 --separate-stderr as "$me" xmpp-sendfile "${server_opts[@]}" --no-send \
		"$d/unresolved.txt"
	one_error_line xmpp-sendfile
	stderr_has "unresolved.txt: cannot resolve the upload host upload.example.test"
	stderr_has "--resolve upload.example.test:"
}

@test "an upload server that takes the file but never answers exits 75 within --connect-timeout" {
	printf 'into the void\n' >"$d/void.txt"
	stall_server headers
	SECONDS=0
	run -75 --separate-stderr stalled "$d/void.txt"
	[ "$SECONDS" -lt $((stall_s + 13)) ]
	one_error_line xmpp-sendfile
	stderr_has "void.txt: upload stalled: upload.example.test:"
	stderr_has "sent no answer for $stall_s s after the whole file"
	stderr_has "--connect-timeout"
	expect "$output" ""
	expect "$(grep -c ^connection "$d/stall.log")" 1
}

@test "an upload server that stops reading part way exits 75, saying how far it got" {
	truncate -s 16M "$d/big.bin"
	stall_server headers
	run -75 --separate-stderr stalled "$d/big.bin"
	one_error_line xmpp-sendfile
	stderr_has "big.bin: upload stalled: upload.example.test:"
	stderr_has "took nothing for $stall_s s after "
	stderr_has " of 16777216 bytes"
	expect "$output" ""
}

@test "an upload server that never starts TLS exits 75" {
	printf 'no handshake\n' >"$d/nohs.txt"
	stall_server handshake
	run -75 --separate-stderr stalled "$d/nohs.txt"
	one_error_line xmpp-sendfile
	stderr_has "nohs.txt: upload stalled: no TLS connection to upload.example.test:"
	stderr_has " within $stall_s s"
}

@test "with --retry a stalled upload is tried again, then exits 75" {
	printf 'again\n' >"$d/again.txt"
	stall_server headers
	run -75 --separate-stderr stalled --retry 1 "$d/again.txt"
	expect "${#stderr_lines[@]}" 2
	[[ ${stderr_lines[0]} == "xmpp-sendfile: "*"again.txt: upload stalled: "*"; retrying (1 of 1)" ]]
	[[ ${stderr_lines[1]} == "xmpp-sendfile: again.txt: upload stalled: "* ]]
	expect "$(grep -c ^connection "$d/stall.log")" 2
	expect "$output" ""
}

@test "a missing input file exits 66 before connecting" {
	printf 'here\n' >"$d/here.txt"
	# -v would show the XML stream had it connected
	run -66 --separate-stderr sendfile -v "$d/here.txt" "$d/missing.txt" "$you"
	one_error_line xmpp-sendfile
	stderr_has missing.txt
	stderr_has "No such file"
	expect "$output" ""
}

@test "a missing file named without a directory exits 66, not taken for a recipient" {
	cd "$d"
	printf 'here\n' >here.txt
	run -66 --separate-stderr sendfile -v here.txt missing.txt "$you"
	one_error_line xmpp-sendfile
	stderr_has missing.txt
	run -66 --separate-stderr sendfile -v --no-send missing.txt
	one_error_line xmpp-sendfile
	stderr_has missing.txt
}

@test "no recipient and no --no-send exits 64" {
	printf 'to whom\n' >"$d/who.txt"
	run -64 --separate-stderr sendfile "$d/who.txt"
	one_error_line xmpp-sendfile
	stderr_has recipient
	expect "$output" ""
}

@test "on a terminal the progress bar fits its width (50 and 120 columns), one line redrawn in place" {
	head -c 20M /dev/urandom >"$d/a-file-with-a-rather-long-name-of-sixty-characters-x.bin"
	local cols
	for cols in 50 120; do
		XMPP_JID=$me XMPP_PASSWORD=pw-${me%@*} "${on_tty[@]}" --cols "$cols" "$d/tty$cols" \
			xmpp-sendfile "${server_opts[@]}" --resolve "$XT_UPLOAD_RESOLVE" --no-send \
			"$d/a-file-with-a-rather-long-name-of-sixty-characters-x.bin" >"$d/url$cols"
		# updates are joined by \r on one line, ended by one newline
		expect "$(tr -cd '\n' <"$d/tty$cols" | wc -c)" 1
		tr '\r' '\n' <"$d/tty$cols" | awk -v w="$cols" '
			length($0) > w - 1 { print "too wide for " w ": " $0; bad = 1 }
			/%/ { n++ }
			END { if (n < 2) { print "fewer than 2 updates"; bad = 1 }; exit bad }' >&2
		grep -q '100% ' "$d/tty$cols"
		grep -q '^https://' "$d/url$cols"
	done
	# the name is cut to fit, the figures kept: at 120 columns, all of them
	grep -q ' / 20.0 MiB 100% .*/s ETA 0:00' "$d/tty120"
}

@test "the progress rate is smoothed: uneven chunks do not make it jump; lines fit any width" {
	local flags=()
	if built_with_asan; then flags=(-fsanitize=address,undefined); fi
	cc -std=c11 -D_GNU_SOURCE "${flags[@]}" -I "$BATS_TEST_DIRNAME/../lib" $(pkg-config --cflags libstrophe) \
		-o "$d/progress-check" "$BATS_TEST_DIRNAME/tools/progress-check.c" "${XT_BUILD:-$XT_BIN}/libxt.a"
	run -0 "$d/progress-check" 50 120 20 1
	# 4 MiB/s on average, in 4 MiB chunks a second apart: the smoothed rate
	# stays within 15% of it (a 500 ms sample holds a chunk or none:
	# 8 MiB/s or 0)
	read -r lo hi <<<"${lines[0]}"
	echo "rate from $lo to $hi B/s" >&2
	[ "$lo" -gt $((4194304 * 85 / 100)) ]
	[ "$hi" -lt $((4194304 * 115 / 100)) ]
	expect "${lines[*]:1}" "49 119 19 0"
}
