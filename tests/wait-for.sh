# tests/wait-for.sh - sourced by tests/helpers.bash (the bats suite),
# tests/bench.sh and tests/demo.sh.

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
