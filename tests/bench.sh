#!/usr/bin/env bash
# tests/bench.sh [--quick] [BUILD_DIR] - `make bench`
#
# Times xmpp-tools beside go-sendxmpp, sendxmpp, curl and two references of
# our own (the plainest libstrophe sender, and a raw client that pipelines
# stanzas with no acknowledgement: the server's own ingest rate), all
# against a throwaway Prosody on loopback with TLS verified, and writes the
# table to BENCHMARKS.md. Not part of `make check`: nothing here is a test.
set -eu
cd "$(dirname "$0")/.."
. tests/wait-for.sh
quick=0
if [ "${1:-}" = --quick ]; then quick=1; shift; fi
bin=$(cd "${1:-build}" && pwd)

need() {
	local missing= p
	for p in hyperfine go-sendxmpp sendxmpp time bc; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
	done
	[ -z "$missing" ] && return 0
	if [ "$(id -u)" != 0 ]; then
		echo "bench needs:$missing (run: sudo apt-get install -y$missing)" >&2
		exit 1
	fi
	apt-get install -y -qq $missing >/dev/null
}
need

if [ $quick = 1 ]; then
	runs=10 slow_runs=3 stream_sizes="2000" recv_n=2000 upload_mib="10"
else
	runs=30 slow_runs=10 stream_sizes="10000 100000" recv_n=100000
	upload_mib=${XT_BENCH_UPLOAD_MIB:-10 100 1024}
fi

dir=$(mktemp -d "${TMPDIR:-/tmp}/xmpp-tools-bench.XXXXXX")
export XT_TEST_PORT=$(tests/server.sh port) XT_UPLOAD_LIMIT=$((1100 * 1024 * 1024))
export XT_PROSODY_LOG=warn
trap 'tests/s2s-env.sh stop "$dir/s2s" 2>/dev/null; tests/server.sh stop "$dir"; rm -rf "$dir"' EXIT
tests/server.sh start "$dir" >/dev/null
eval "$(tests/server.sh env "$dir")"
host=${XT_C2S%:*} port=${XT_C2S#*:}
opts=(--server "$XT_C2S" --cafile "$XT_CAFILE")
mkdir -p "$dir/cadir" && cp "$XT_CAFILE" "$dir/cadir/" && openssl rehash "$dir/cadir"
export XMPP_JID=alice@example.test XMPP_PASSWORD=pw-alice
printf 'hi\n' >"$dir/msg"

# account NAME: a fresh account, password pw-NAME.
account() {
	printf 'return {\n\t["password"] = "pw-%s";\n};\n' "$1" \
		>"$dir/data/example%2etest/accounts/$1.dat"
	echo "$1@example.test"
}

rows=()
row() {
	local out="|" f
	for f in "$@"; do out+=" $f |"; done
	rows+=("$out")
}
note() { printf '[%3d s] %s\n' "$SECONDS" "$*" >&2; }

# time_report FILE: sets tu, ts and trss from what /usr/bin/time -f
# '%U %S %M' wrote to FILE; zeros if it wrote nothing.
time_report() {
	read -r tu ts trss < <(tail -n 1 "$1" 2>/dev/null) || tu=0 ts=0 trss=0
}

# gtime CMD...: runs CMD; sets wall, cpu (user+sys) and rss (KiB).
gtime() {
	local out=$dir/time.$$
	/usr/bin/time -f '%e %U %S %M' -o "$out" "$@" || true
	# the last line: time puts "Command exited with non-zero status" above
	read -r wall u s rss < <(tail -n 1 "$out")
	cpu=$(echo "$u + $s" | bc)
}

# 1. One message, cold: exec to exit, delivery confirmed where the tool can.
one_message() {
	local to json n
	to=$(account cold)
	note "== one message, cold ($runs runs; sendxmpp $slow_runs)"
	hyperfine -N --warmup 3 --runs "$runs" --export-json "$dir/h1.json" \
		"$bin/xmpp-send ${opts[*]} -m hi $to" \
		"$bin/bench/floor alice@example.test pw-alice $host $port $XT_CAFILE $to" \
		"env SSL_CERT_FILE=$XT_CAFILE go-sendxmpp -u alice@example.test -p pw-alice -j $XT_C2S -m $dir/msg $to" \
		>/dev/null 2>&1 || note "hyperfine failed"
	hyperfine -N --warmup 1 --runs "$slow_runs" --export-json "$dir/h2.json" \
		"sendxmpp -u alice -p pw-alice -j $XT_C2S -o example.test -t -a $dir/cadir -m $dir/msg $to" \
		>/dev/null 2>&1 || note "hyperfine (sendxmpp) failed"
	for json in "$dir/h1.json" "$dir/h2.json"; do
		n=$(jq '.results | length' "$json")
		for i in $(seq 0 $((n - 1))); do
			local cmd name med sd us rss
			cmd=$(jq -r ".results[$i].command" "$json")
			case $cmd in
			*xmpp-send*) name=xmpp-send ;; *floor*) name="libstrophe floor" ;;
			*go-sendxmpp*) name=go-sendxmpp ;; *) name=sendxmpp ;;
			esac
			med=$(jq ".results[$i].median * 1000 | floor" "$json")
			sd=$(jq ".results[$i].stddev * 1000 | floor" "$json")
			us=$(jq "(.results[$i].user + .results[$i].system) * 1000 | floor" "$json")
			# shellcheck disable=SC2086
			gtime $cmd
			eval "med_$(echo "$name" | tr -c 'a-z\n' _)=$med rss_$(echo "$name" | tr -c 'a-z\n' _)=$rss"
			row "1. one message" "$name" "${med} ms ± ${sd}" "${us} ms CPU" "${rss} KiB" ""
		done
	done
}

# settle PID FILE: waits for the receiver PID to finish, or for FILE to stop
# growing for 10 s (what a sender lost will never come).
settle() {
	local last=-1 now quiet=0
	while kill -0 "$1" 2>/dev/null && [ $quiet -lt 20 ]; do
		now=$(wc -l <"$2")
		if [ "$now" = "$last" ]; then quiet=$((quiet + 1)); else quiet=0; fi
		last=$now
		sleep 0.5
	done
	# the listener itself first (a child of $1, or a grandchild through a
	# pipeline), so that the /usr/bin/time around it still reports
	for p in "$1" $(pgrep -P "$1"); do pkill -x xmpp-listen -P "$p" 2>/dev/null || true; done
	for _ in $(seq 1 50); do kill -0 "$1" 2>/dev/null || break; sleep 0.1; done
	kill "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# server_cpu: the seconds of CPU Prosody has used (utime + stime).
server_cpu() {
	awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f\n", ($14 + $15) / hz }' \
		"/proc/$(cat "$dir/prosody.pid")/stat"
}

# fresh_server: Prosody keeps archives and offline messages in memory here
# and slows down as they grow: every streaming run gets a fresh server, or
# the one that runs last is measured against one 300,000 messages heavier.
fresh_server() {
	tests/server.sh stop "$dir" && tests/server.sh start "$dir" >/dev/null
}

# listen N OUT: a fresh account's xmpp-listen counting N messages into OUT,
# under /usr/bin/time (OUT.time); sets the caller's to and lpid once it is
# online.
listen() {
	to=$(account "s$RANDOM$RANDOM")
	XMPP_JID=$to XMPP_PASSWORD=pw-${to%@*} /usr/bin/time -f '%U %S %M' -o "$2.time" \
		"$bin/xmpp-listen" "${opts[@]}" -v --json --no-carbons --offline \
		--count "$1" --timeout $((60 + $1 / 100)) >"$2" 2>"$2.err" &
	lpid=$!
	wait_for "$2.err" '^> <presence' || true
}

# stream N NAME SENDER...: SENDER reads N lines on a fresh server; the
# listener counts arrivals. Writes the row: the rate (all that arrived over
# the seconds until the last came), the sender's CPU and RSS, and how busy
# the server was.
stream() {
	local n=$1 name=$2 to lpid out=$dir/recv.$RANDOM t0 t1 got c0 c1 tu ts trss rate busy
	shift 2
	fresh_server
	listen "$n" "$out"
	seq 1 "$n" | sed 's/^/line /' >"$dir/lines"
	c0=$(server_cpu)
	t0=$(date +%s.%N)
	gtime "$@" "$to" <"$dir/lines"
	settle "$lpid" "$out"
	t1=$(date -r "$out" +%s.%N)
	c1=$(server_cpu)
	got=$(wc -l <"$out")
	note "   $name: $got in $(echo "scale=2; ($t1 - $t0) / 1" | bc) s, server CPU $(echo "$c1 - $c0" | bc) s"
	rate=$(echo "$got / ($t1 - $t0)" | bc)
	busy=$(echo "100 * ($c1 - $c0) / ($t1 - $t0)" | bc)
	eval "rate_$(echo "$name$n" | tr -c 'a-z0-9\n' _)=$rate"
	row "2. stream $n lines" "$name" "$rate msg/s" "$cpu s CPU" "$rss KiB" \
		"$got of $n arrived; server busy $busy%"
	# the raw pipeline flooding xmpp-listen into a file is row 3's first
	# case: it is kept, not run again
	if [ "$n" = "$recv_n" ] && [ "$name" = "raw pipeline (server limit)" ]; then
		time_report "$out.time"
		recv_file_row=("3. receive $recv_n" "xmpp-listen > file" "$rate msg/s" \
			"$(echo "$tu + $ts" | bc) s CPU" "$trss KiB" \
			"$got of $recv_n; the raw pipeline's run in row 2; server busy $busy%")
	fi
}

# head_to_head N: the raw pipeline and xmpp-send at once, N/2 lines each,
# each to its own listener on one server. This machine's pace swings by
# half within seconds, more than any two senders differ; two that share
# the same seconds meet the same pace. When the first listener has all its
# lines, xmpp-send's count over the raw pipeline's is its share of the
# server against the raw pipeline (after that, one has the server alone).
head_to_head() {
	local n=$1 half=$(($1 / 2)) to lpid rto sto rpid spid from t0 t1 a=0 b=0
	local rout=$dir/h2h.raw sout=$dir/h2h.send rsend ssend tu ts trss share
	note "== streaming $n lines, head to head"
	fresh_server
	listen "$half" "$rout" && rto=$to rpid=$lpid
	listen "$half" "$sout" && sto=$to spid=$lpid
	from=$(account "h$RANDOM$RANDOM")
	seq 1 "$half" | sed 's/^/line /' >"$dir/lines"
	t0=$(date +%s.%N)
	"$bin/bench/raw-sender" "${opts[@]}" --connect-timeout 900 "$rto" <"$dir/lines" >/dev/null &
	rsend=$!
	XMPP_JID=$from XMPP_PASSWORD=pw-${from%@*} /usr/bin/time -f '%U %S %M' -o "$sout.sender" \
		"$bin/xmpp-send" "${opts[@]}" --lines --timeout 600 "$sto" <"$dir/lines" >/dev/null &
	ssend=$!
	while kill -0 "$rsend" 2>/dev/null || kill -0 "$ssend" 2>/dev/null; do
		a=$(wc -l <"$rout") b=$(wc -l <"$sout")
		[ "$a" -ge "$half" ] || [ "$b" -ge "$half" ] && break
		sleep 0.2
	done
	wait "$rsend" "$ssend" || note "a head-to-head sender failed"
	settle "$rpid" "$rout"
	settle "$spid" "$sout"
	t1=$(date -r "$sout" +%s.%N)
	if [ "$a" -lt "$half" ] && [ "$b" -lt "$half" ]; then
		# lines lost: both senders ended before either listener had all
		a=$(wc -l <"$rout") b=$(wc -l <"$sout")
	fi
	share=$(echo "scale=2; $b / ($a + ($a == 0))" | bc)
	eval "h2h_share_$n=$share"
	time_report "$sout.sender"
	note "   when the first had all: raw pipeline $a, xmpp-send $b of $half"
	row "2. stream $n lines, head to head" "xmpp-send --lines" "$share × the raw pipeline" \
		"$(echo "$tu + $ts" | bc) s CPU" "$trss KiB" \
		"$half lines each at once; raw $(wc -l <"$rout"), xmpp-send $(wc -l <"$sout") arrived; xmpp-send's last after $(echo "scale=1; ($t1 - $t0) / 1" | bc) s"
}

# 2. Streaming: the raw pipeline, then each tool alone; then xmpp-send and
# the raw pipeline head to head.
streaming() {
	local n name
	local -A cmd=(
		[raw]="raw pipeline (server limit)|$bin/bench/raw-sender ${opts[*]} --connect-timeout 900"
		[send]="xmpp-send --lines|$bin/xmpp-send ${opts[*]} --lines --timeout 600"
		[go]="go-sendxmpp -i|timeout 900 env SSL_CERT_FILE=$XT_CAFILE go-sendxmpp -u alice@example.test -p pw-alice -j $XT_C2S -i"
		[sx]="sendxmpp -i|timeout 900 sendxmpp -u alice -p pw-alice -j $XT_C2S -o example.test -t -a $dir/cadir -i"
	)
	for n in $stream_sizes; do
		note "== streaming $n lines"
		for name in raw send go sx; do
			# shellcheck disable=SC2086
			stream "$n" "${cmd[$name]%%|*}" ${cmd[$name]#*|}
		done
		head_to_head "$n"
	done
}

# 3. Receiving: the raw client floods one listener writing to a file (the
# raw pipeline's run in row 2), then one whose reader is slow.
receiving() {
	local to out t0 t1 got tu ts trss c0 c1
	note "== receiving $recv_n messages, slow reader"
	row "${recv_file_row[@]}"
	fresh_server
	to=$(account "rslow$RANDOM")
	out=$dir/recv.slow
	(
		XMPP_JID=$to XMPP_PASSWORD=pw-${to%@*} /usr/bin/time -f '%U %S %M' -o "$out.rss" \
			"$bin/xmpp-listen" "${opts[@]}" -v --json --no-carbons --offline --count "$recv_n" \
			--timeout 900 2>"$out.err" |
			perl -ne 'select(undef, undef, undef, 0.0005); print' >"$out"
	) &
	local lpid=$!
	wait_for "$out.err" '^> <presence' || true
	c0=$(server_cpu)
	t0=$(date +%s.%N)
	seq 1 "$recv_n" | "$bin/bench/raw-sender" "${opts[@]}" --connect-timeout 900 "$to" >/dev/null ||
		note "raw-sender failed"
	settle "$lpid" "$out"
	t1=$(date -r "$out" +%s.%N)
	c1=$(server_cpu)
	got=$(wc -l <"$out")
	time_report "$out.rss"
	row "3. receive $recv_n" "xmpp-listen > slow reader" "$(echo "$got / ($t1 - $t0)" | bc) msg/s" \
		"$(echo "$tu + $ts" | bc) s CPU" "$trss KiB" \
		"$got of $recv_n; server busy $(echo "100 * ($c1 - $c0) / ($t1 - $t0)" | bc)%"
}

# 4. Upload: xmpp-sendfile against curl -T of the same file to a slot.
# Both are timed from start to end of the whole job: xmpp-sendfile logs in,
# asks for the slot and uploads; curl's time adds bench/slot, which makes
# the same login and request. Prosody's http_file_share sets the pace and
# it wanders from run to run (by a quarter at 1 GiB), most of all on a new
# server's first upload: an untimed one goes first, then the two take
# turns, twice each and each going first once; each keeps its faster run,
# and the disk is synced before each run. At 1 GiB, once each: twice would
# pass the bench's 15 minutes.
upload_sendfile() {
	gtime "$bin/xmpp-sendfile" "${opts[@]}" --resolve "$XT_UPLOAD_RESOLVE" --no-send "$1"
}

upload_curl() {
	local put h hdrs=() t0
	t0=$(date +%s.%N)
	mapfile -t put < <("$bin/bench/slot" "${opts[@]}" "curl.$RANDOM" "$2")
	for h in "${put[@]:1}"; do hdrs+=(-H "$h"); done
	# -H Expect: as xmpp-sendfile does: curl -T asks for a 100 Continue,
	# which Prosody sends only for the bodies it streams (over 10 MiB), and
	# otherwise curl waits a second for it
	gtime curl -sf -o /dev/null --cacert "$XT_CAFILE" --resolve "$XT_UPLOAD_RESOLVE" \
		-H 'Content-Type: application/octet-stream' -H 'Expect:' "${hdrs[@]}" \
		-T "$1" "${put[0]}"
	wall=$(echo "$(date +%s.%N) - $t0" | bc)
}

upload() {
	local mib f size tool rate order orders runs
	for mib in $upload_mib; do
		orders=("sendfile curl" "curl sendfile") runs="faster of 2"
		[ "$mib" -ge 1024 ] && orders=("sendfile curl") runs="one run each"
		note "== upload $mib MiB"
		f=$dir/up.$mib
		head -c $((mib * 1024 * 1024)) /dev/urandom >"$f"
		size=$(stat -c %s "$f")
		declare -A best=() bcpu=() brss=()
		if [ "$mib" = "${upload_mib%% *}" ]; then
			upload_curl "$f" "$size"
			rm -f "$dir"/data/upload*/http_file_share/*
		fi
		for order in "${orders[@]}"; do
			for tool in $order; do
				sync
				"upload_$tool" "$f" "$size"
				rm -f "$dir"/data/upload*/http_file_share/*
				rate=$(echo "scale=1; $size / $wall / 1048576" | bc)
				if [ -z "${best[$tool]:-}" ] || [ "$(echo "$rate > ${best[$tool]}" | bc)" = 1 ]; then
					best[$tool]=$rate bcpu[$tool]=$cpu brss[$tool]=$rss
				fi
			done
		done
		row "4. upload $mib MiB" "xmpp-sendfile" "${best[sendfile]} MiB/s" \
			"${bcpu[sendfile]} s CPU" "${brss[sendfile]} KiB" "$runs"
		row "4. upload $mib MiB" "curl -T" "${best[curl]} MiB/s" \
			"${bcpu[curl]} s CPU" "${brss[curl]} KiB" "$runs"
		eval "up_ratio_$mib=$(echo "scale=2; ${best[sendfile]} / ${best[curl]}" | bc)"
		rm -f "$f"
	done
}

# 5. xmpp-s2s-probe over local test domains (tests/s2s-env.sh: its own DNS
# server and an s2s Prosody), one domain at a time and eight at once.
s2s_probe() {
	local n=50 j passed
	[ $quick = 1 ] && n=20
	note "== s2s probe, $n domains"
	XT_S2S_BULK=$n tests/s2s-env.sh start "$dir/s2s" >/dev/null
	eval "$(tests/s2s-env.sh env "$dir/s2s")"
	seq 1 "$n" | sed 's/^/d/; s/$/.bulk.test/' >"$dir/domains"
	for j in 1 8; do
		gtime "$bin/xmpp-s2s-probe" --json --jobs "$j" --dns-server "$XT_S2S_DNS" \
			--trust-anchor "$XT_S2S_ANCHOR" --cafile "$XT_S2S_CAFILE" \
			<"$dir/domains" >"$dir/probe.out"
		passed=$(grep -c '"status":"pass"' "$dir/probe.out" || true)
		row "5. s2s probe $n domains" "xmpp-s2s-probe --jobs $j" "$wall s" "${cpu} s CPU" \
			"${rss} KiB" "$passed of $n passed"
		eval "probe_j$j=$wall"
	done
	tests/s2s-env.sh stop "$dir/s2s"
}

one_message
streaming
receiving
upload
s2s_probe

{
	echo "# Benchmarks"
	echo
	echo "Written by \`make bench$([ $quick = 1 ] && echo ' ARGS=--quick')\` (tests/bench.sh) on $(date -u +%Y-%m-%d);"
	echo "rerunning it replaces this file. All against a local Prosody on loopback, TLS verified."
	echo
	echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'),"
	echo "$(free -g | awk '/Mem:/ {print $2}') GiB, Linux $(uname -r)."
	echo
	echo "Versions: xmpp-tools $("$bin/xmpp-send" --version | cut -d' ' -f2) ($(git rev-parse --short HEAD 2>/dev/null || echo '?')),"
	echo "Prosody $(dpkg-query -W -f='${Version}' prosody), libstrophe $(dpkg-query -W -f='${Version}' libstrophe0),"
	echo "go-sendxmpp $(dpkg-query -W -f='${Version}' go-sendxmpp), sendxmpp $(dpkg-query -W -f='${Version}' sendxmpp),"
	echo "curl $(dpkg-query -W -f='${Version}' curl), hyperfine $(dpkg-query -W -f='${Version}' hyperfine)."
	echo
	cat <<-'EOF'
	How: every streaming run has a fresh server. "Server busy" is Prosody's
	CPU time over the run's seconds: near 100%, the server is the limit,
	whoever sends. This machine's pace swings by up to a half within seconds
	and over minutes, more than the senders differ, so runs of one tool
	alone, minutes apart, compare loosely. The head-to-head row runs
	xmpp-send and the raw pipeline at once, half the lines each, each to its
	own listener on one server, so that both meet the same pace. When the
	first listener has all its lines, xmpp-send's count over the raw
	pipeline's is its share of the server: 1.00 means it kept pace with a
	sender that asks for no acknowledgement. Row 3's file case is the raw
	pipeline's run of row 2 seen from its listener. Uploads are timed from
	start to end of the whole job: curl's time includes getting the slot
	(the same login and request as xmpp-sendfile's), and curl gets
	-H 'Expect:' as xmpp-sendfile sends.

	EOF
	echo "| row | tool | time or rate | CPU | peak RSS | notes |"
	echo "|---|---|---|---|---|---|"
	printf '%s\n' "${rows[@]}"
	echo
	echo "Ratios (targets from the benchmark issue):"
	echo
	echo "- one message, median wall: xmpp-send / go-sendxmpp = $(echo "scale=2; $med_xmpp_send / $med_go_sendxmpp" | bc) (target <= 0.5);"
	echo "  xmpp-send / libstrophe floor = $(echo "scale=2; $med_xmpp_send / $med_libstrophe_floor" | bc) (target <= 1.5);"
	echo "  peak RSS xmpp-send / go-sendxmpp = $(echo "scale=2; $rss_xmpp_send / $rss_go_sendxmpp" | bc) (target < 1)."
	for n in $stream_sizes; do
		eval "a=\$rate_xmpp_send___lines$n b=\$rate_raw_pipeline__server_limit_$n"
		eval "h=\$h2h_share_$n"
		echo "- stream $n: xmpp-send --lines against the raw pipeline, head to head, $((n / 2)) each = $h (target >= 0.9);"
		echo "  alone, one run each, minutes apart: $(echo "scale=2; $a / $b" | bc)."
	done
	for mib in $upload_mib; do
		eval "r=\$up_ratio_$mib"
		echo "- upload $mib MiB: xmpp-sendfile / curl -T = $r (target >= 0.9)."
	done
	echo "- s2s probe: --jobs 8 / --jobs 1 wall time = $(echo "scale=2; $probe_j8 / $probe_j1" | bc)."
} >BENCHMARKS.md
cat BENCHMARKS.md
