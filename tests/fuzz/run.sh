#!/usr/bin/env bash
# tests/fuzz/run.sh DIR SECONDS TARGET... - runs each libFuzzer target
# DIR/fuzz-TARGET once over every input in tests/fuzz/regressions/TARGET,
# then for SECONDS from a scratch copy of tests/fuzz/seeds/TARGET and the
# regressions (the corpus it grows stays out of the tree, in $TMPDIR: make
# fuzz-grow keeps it). Prints one line per target; fails if any target
# crashed, leaked or hung, leaving the input that did it.
set -u
shopt -s nullglob
cd "$(dirname "$0")/../.." || exit 1
dir=$1 secs=$2
shift 2
scratch=$(mktemp -d "${TMPDIR:-/tmp}/xmpp-tools-fuzz.XXXXXX") || exit 1
trap 'rm -rf "$scratch"; exit 130' INT TERM
failed=

# report NAME LOG WHEN: the log's end, then one line saying what failed.
report() {
	local why input
	why=$(grep -m1 -E '^SUMMARY: |ERROR: libFuzzer: ' "$2" | sed 's/^==[0-9]*== *//')
	input=$(sed -n 's/.*Test unit written to //p' "$2" | tail -n 1)
	echo "--- the end of $1's log ($2):" >&2
	tail -n 40 "$2" >&2
	echo "fuzz: $1 FAILED $3: ${why:-exit status $4, see the log}${input:+; the input: $input}" >&2
	failed="$failed $1"
}

for t in "$@"; do
	bin=$dir/fuzz-$t log=$scratch/$t.log
	# -close_fd_mask=2: the parsers' error messages would drown the
	# log; libFuzzer and the sanitizers still report on their own copy.
	# -artifact_prefix: else crash-* files land in the working directory
	opts=(-max_len=4096 -timeout=10 -close_fd_mask=2
		-artifact_prefix="$scratch/crash/$t/")
	mkdir -p "$scratch/corpus/$t" "$scratch/crash/$t"
	regr=(tests/fuzz/regressions/"$t"/*)
	if [ ${#regr[@]} -gt 0 ]; then
		"$bin" "${opts[@]}" "${regr[@]}" >"$log" 2>&1
		rc=$?
		if [ $rc != 0 ]; then
			report "fuzz-$t" "$log" "replaying tests/fuzz/regressions/$t/" $rc
			continue
		fi
	fi
	# from where the last grow.sh left off: seeds and regressions
	cp tests/fuzz/seeds/"$t"/* "${regr[@]}" "$scratch/corpus/$t/"
	"$bin" "${opts[@]}" -max_total_time="$secs" -dict=tests/fuzz/xmpp.dict \
		"$scratch/corpus/$t" >"$log" 2>&1
	rc=$?
	if [ $rc != 0 ]; then
		report "fuzz-$t" "$log" "while fuzzing" $rc
		continue
	fi
	# libFuzzer ends with "Done 1234567 runs in 60 second(s)"
	read -r runs s < <(sed -n 's/^Done \([0-9]*\) runs in \([0-9]*\) second.*/\1 \2/p' "$log")
	echo "fuzz-$t: ${runs:-?} runs in ${s:-?} s ($(( ${runs:-0} / (${s:-0} > 0 ? ${s:-0} : 1) ))/s)," \
		"${#regr[@]} regressions, no crash"
done
if [ -n "$failed" ]; then
	echo "fuzz: FAILED:$failed; kept $scratch (crash/TARGET/ holds the inputs: once fixed in lib/, add each to tests/fuzz/regressions/TARGET/)" >&2
	exit 1
fi
rm -rf "$scratch"
