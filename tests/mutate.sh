#!/usr/bin/env bash
# tests/mutate.sh [LIST] [NAME...]
# Mutation testing: applies each one-line mutation of LIST (default
# tests/mutations) to a scratch copy of the tree, rebuilds, runs the test
# file that must catch it (bats --filter narrows it to the tests that
# matter) and reports the mutants that survived: those no test failed for.
# First each test selection runs once on the real code, which must pass,
# else a "killed" mutant would prove nothing. Mutants build without
# -Werror: a mutation that only leaves a variable unused still runs.
# Exit 0 when every mutant was killed, 1 when one survived or a selection
# fails on the real code.
set -u
cd "$(dirname "$0")/.." || exit 1
list=${1:-tests/mutations}
shift || true
only=("$@")
src=$PWD
work=$(mktemp -d "${TMPDIR:-/tmp}/xmpp-tools-mutate.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
# each test selection gets this long; a mutant that hangs a test is killed
per_run=${MUTATE_TIMEOUT:-900}

copy_tree() {
	tar -C "$src" --exclude='./build*' --exclude=./.git -cf - . | tar -C "$work" -xf -
}

build() {
	make -C "$work" -s -j2 WARN=-w all >"$work/build.log" 2>&1
}

# run_tests FILE FILTER: 0 when the selection passes
run_tests() {
	local file=$1 filter=$2
	(cd "$work" && XT_FILTER=$filter timeout "$per_run" tests/run.sh build "$file") \
		>"$work/test.log" 2>&1
}

# replace FILE FROM TO: FROM must occur exactly once in FILE
replace() {
	local path=$work/$1 from=$2 to=$3 text rest
	[ -f "$path" ] || { echo "no such file: $1"; return 1; }
	text=$(<"$path")
	rest=${text#*"$from"}
	if [ "$rest" = "$text" ]; then echo "not found in $1: $from"; return 1; fi
	case $rest in *"$from"*) echo "found twice in $1: $from"; return 1 ;; esac
	cp "$path" "$path.orig"
	printf '%s\n' "${text/"$from"/"$to"}" >"$path"
}

restore() {
	mv "$work/$1.orig" "$work/$1"
}

wanted() {
	local n
	[ ${#only[@]} -eq 0 ] && return 0
	for n in "${only[@]}"; do [ "$n" = "$1" ] && return 0; done
	return 1
}

# The list: blocks of "name:", "file:", "from:", "to:", "test:" and an
# optional "filter:" line, separated by blank lines; # starts a comment.
# A "why:" line explains a mutant no test can kill (an equivalent one):
# it is run all the same, and its survival is reported as explained.
names=() files=() froms=() tos=() tests=() filters=() whys=()
parse() {
	local key value name='' file='' from='' to='' test='' filter='' why=''
	flush() {
		[ -n "$name" ] || return 0
		names+=("$name") files+=("$file") froms+=("$from") tos+=("$to")
		tests+=("$test") filters+=("$filter") whys+=("$why")
		name='' file='' from='' to='' test='' filter='' why=''
	}
	while IFS= read -r line || [ -n "$line" ]; do
		case $line in
		'#'*) continue ;;
		'') flush; continue ;;
		esac
		key=${line%%:*} value=${line#*: }
		case $key in
		name) name=$value ;; file) file=$value ;; from) from=$value ;;
		to) to=$value ;; test) test=$value ;; filter) filter=$value ;;
		why) why=$value ;;
		*) echo "$list: unknown key: $key" >&2; exit 2 ;;
		esac
	done <"$list"
	flush
}

parse
copy_tree
build || { echo "the real code does not build:"; tail -20 "$work/build.log"; exit 1; }

declare -A baseline
bad=0 survived=0 killed=0 explained=0
for i in "${!names[@]}"; do
	wanted "${names[$i]}" || continue
	key="${tests[$i]}|${filters[$i]}"
	[ -n "${baseline[$key]:-}" ] && continue
	if run_tests "${tests[$i]}" "${filters[$i]}"; then
		baseline[$key]=ok
	else
		baseline[$key]=fails
		echo "FAILS ON THE REAL CODE: ${tests[$i]} ${filters[$i]:+--filter '${filters[$i]}'}"
		tail -30 "$work/test.log"
		bad=1
	fi
done

for i in "${!names[@]}"; do
	wanted "${names[$i]}" || continue
	name=${names[$i]}
	[ "${baseline["${tests[$i]}|${filters[$i]}"]}" = ok ] || continue
	if ! replace "${files[$i]}" "${froms[$i]}" "${tos[$i]}"; then
		echo "STALE  $name (update $list)"
		bad=1
		continue
	fi
	if ! build; then
		result="killed (does not build)"
	else
		run_tests "${tests[$i]}" "${filters[$i]}"
		case $? in
		0) result=SURVIVED ;;
		124) result="killed (timeout: a test hangs)" ;;
		*) result=killed ;;
		esac
	fi
	restore "${files[$i]}"
	case $result in
	SURVIVED)
		if [ -n "${whys[$i]}" ]; then
			result="survived, explained: ${whys[$i]};"
			explained=$((explained + 1))
		else
			survived=$((survived + 1))
		fi ;;
	*) killed=$((killed + 1)) ;;
	esac
	printf '%-8s %s (%s; %s)\n' "$result" "$name" "${files[$i]}" "${tests[$i]}"
done
build >/dev/null 2>&1
echo "mutants: $killed killed, $survived survived, $explained survived as explained"
[ "$survived" -eq 0 ] && [ "$bad" -eq 0 ]
