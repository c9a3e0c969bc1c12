#!/usr/bin/env bash
# tests/fuzz/grow.sh DIR SECONDS TARGET... - grows the corpus of each
# libFuzzer target DIR/fuzz-TARGET, one at a time: fuzzes SECONDS from its
# seeds and regressions, then keeps in tests/fuzz/regressions/TARGET/ the
# inputs that reach code the seeds and regressions do not (libFuzzer
# -merge=1, files named by the SHA-1 of their content), so that every run
# of run.sh, CI's included, replays them. A crash is saved there too and
# fails the run: fix lib/, then commit the input with the fix.
set -u
shopt -s nullglob
cd "$(dirname "$0")/../.." || exit 1
dir=$1 secs=$2
shift 2
# a target's regressions stay small: CI replays them all on each run
max_files=100
scratch=$(mktemp -d "${TMPDIR:-/tmp}/xmpp-tools-grow.XXXXXX") || exit 1
trap 'rm -rf "$scratch"' EXIT
trap 'exit 130' INT TERM
failed=

for t in "$@"; do
	bin=$dir/fuzz-$t regr=tests/fuzz/regressions/$t log=$scratch/$t.log
	opts=(-max_len=4096 -timeout=10 -close_fd_mask=2)
	mkdir -p "$scratch/$t/corpus" "$scratch/$t/known" "$scratch/$t/new" "$regr"
	cp tests/fuzz/seeds/"$t"/* "$regr"/* "$scratch/$t/corpus/" 2>/dev/null
	cp tests/fuzz/seeds/"$t"/* "$regr"/* "$scratch/$t/known/" 2>/dev/null
	before=$(ls "$regr" | wc -l)
	"$bin" "${opts[@]}" -max_total_time="$secs" -dict=tests/fuzz/xmpp.dict \
		-artifact_prefix="$regr/" "$scratch/$t/corpus" >"$log" 2>&1
	rc=$?
	if [ $rc != 0 ]; then
		tail -n 30 "$log" >&2
		echo "grow: fuzz-$t FAILED: the input is in $regr/ (crash-*, leak-*, timeout-*)" >&2
		failed="$failed $t"
		continue
	fi
	stats=$(grep -E '^#[0-9]+.*DONE' "$log" | tail -n 1)
	# what adds coverage over the seeds and the regressions already kept
	"$bin" "${opts[@]}" -merge=1 "$scratch/$t/known" "$scratch/$t/corpus" \
		>"$scratch/$t/merge.log" 2>&1 || { echo "grow: fuzz-$t: merge failed" >&2; failed="$failed $t"; continue; }
	for f in "$scratch/$t/known"/*; do
		[ -e "tests/fuzz/seeds/$t/${f##*/}" ] || [ -e "$regr/${f##*/}" ] || mv "$f" "$scratch/$t/new/"
	done
	# the smallest first, up to max_files in all
	room=$((max_files - before))
	[ $room -gt 0 ] && ls -Sr "$scratch/$t/new" | head -n "$room" |
		while read -r f; do mv "$scratch/$t/new/$f" "$regr/"; done
	echo "fuzz-$t: ${stats#\#}; regressions $before -> $(ls "$regr" | wc -l) files," \
		"$(du -cb "$regr"/* 2>/dev/null | tail -n 1 | cut -f1) bytes"
done
[ -z "$failed" ] || { echo "grow: FAILED:$failed" >&2; exit 1; }
