# Sourced by the completion tests (tests/90-docs.bats) inside `bash -c`.
# c FUNCTION WORD...: runs the bash completion FUNCTION on the command line
# WORD... (completing the last WORD) and prints "[replies]".
c() {
	local fn=$1
	shift
	COMP_WORDS=("$@") COMP_CWORD=$(($# - 1))
	COMP_LINE="$*" COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	$fn "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
	echo "[${COMPREPLY[*]}]"
}
