#!/usr/bin/env bats
# The documentation and completions keep up with the options, and the tools
# answer --help, --version and a wrong option the way scripts expect.
bats_require_minimum_version 1.5.0
load helpers

setup() {
	cd "$BATS_TEST_DIRNAME/.." || return 1
}

# long_options TOOL: the long options TOOL --help lists, one a line
# (digits too: xmpp-s2s-probe has --c2s and --ipv4).
long_options() {
	"$1" --help | grep -o -- '--[a-z][a-z0-9-]*' | sort -u
}

# man_text PAGE: the page as a reader sees it (plain text without
# overstriking), else, without mandoc, its source with \- turned into -.
man_text() {
	if command -v mandoc >/dev/null; then
		mandoc -T ascii -O width=250 "$1" | sed 's/.\x08//g'
	else
		sed -e 's/\\-/-/g' -e 's/\\(hy/-/g' "$1"
	fi
}

# What the completions of all the tools share, by shell: the common options
# (lib/opt.c's common_opts) are there, not in each tool's file.
BASH_SHARED=completions/xmpp-tools.bash-common
ZSH_SHARED="completions/_xmpp-tools-common-args completions/_xmpp-tools-accounts"
FISH_SHARED="completions/fish-functions/__xmpp_tools_common.fish completions/fish-functions/__xmpp_tools_accounts.fish"

# uses_shared TOOL KIND FILE: fails unless FILE, TOOL's completion for
# KIND, takes the common options from the shell's shared files.
uses_shared() {
	local tool=$1 kind=$2 file=$3 re
	case $kind in
	bash) re='^\. .*/xmpp-tools\.bash-common"' ;;
	zsh) re='^_xmpp-tools-common-args [[:alnum:]_]+' ;;
	fish) re="__xmpp_tools_common $tool( |\$)" ;;
	*) return 0 ;;
	esac
	grep -qE -- "$re" "$file" || { echo "$file does not use the shared $kind completion" >&2; return 1; }
	if [ "$kind" = bash ]; then
		grep -q -- '$_xmpp_tools_common_opts' "$file" &&
			grep -q -- '_xmpp_tools_common_arg ' "$file" ||
			{ echo "$file does not offer the common options" >&2; return 1; }
	fi
}

# check_options TOOL KIND FILE [SHARED...]: fails naming every long option
# of TOOL's --help that neither FILE nor the SHARED files have (FILE must
# then use them). KIND: man, bash, zsh or fish (fish names long options as
# "-l NAME"; the others spell them --NAME).
check_options() {
	local tool=$1 kind=$2 file=$3 text opt name re missing=() f
	shift 3
	[ -f "$file" ] || { echo "$file does not exist" >&2; return 1; }
	case $kind in
	man) text=$(man_text "$file") ;;
	*) text=$(<"$file") ;;
	esac
	if [ $# -gt 0 ]; then
		uses_shared "$tool" "$kind" "$file" || return 1
		for f in "$@"; do
			[ -f "$f" ] || { echo "$f does not exist" >&2; return 1; }
			text+=$'\n'$(<"$f")
		done
	fi
	local opts
	opts=$(long_options "$tool")
	[ -n "$opts" ] || { echo "$tool --help lists no long options" >&2; return 1; }
	for opt in $opts; do
		name=${opt#--}
		case $kind in
		fish) re="(^|[[:space:]])(-l|--long-option)[[:space:]]+['\"]?$name['\"]?([[:space:]]|$)" ;;
		man) re="(^|[^[:alnum:]-])-?$opt([^[:alnum:]-]|$)" ;;
		*) re="(^|[^[:alnum:]-])$opt([^[:alnum:]-]|$)" ;;
		esac
		grep -qE -- "$re" <<<"$text" || missing+=("$opt")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		echo "$file${1:+ and $*} lack: ${missing[*]}" >&2
		return 1
	fi
}

# check_version TOOL
check_version() {
	run --separate-stderr "$1" --version
	[ "$status" -eq 0 ]
	[[ ${lines[0]} =~ ^$1\ [0-9]+\.[0-9]+ ]]
	[ -z "$stderr" ]
}

# check_help TOOL
check_help() {
	run --separate-stderr "$1" --help
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "usage: $1 "* ]]
	grep -q -- '--help' <<<"$output"
	[ -z "$stderr" ]
}

# check_unknown TOOL OPTION: exit 64, nothing on stdout, and on stderr one
# line naming OPTION, then the usage.
check_unknown() {
	local tool=$1 opt=$2
	run --separate-stderr "$tool" "$opt"
	[ "$status" -eq 64 ]
	[ -z "$output" ]
	# one line: what is wrong, and where to look
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ ${stderr_lines[0]} == "$tool: "*"$opt"*"$tool --help"* ]]
}

@test "xmpp-send: every option in --help is documented in xmpp-send(1)" {
	check_options xmpp-send man man/xmpp-send.1
}

@test "xmpp-send: every option in --help completes in bash" {
	check_options xmpp-send bash completions/xmpp-send.bash $BASH_SHARED
}

@test "xmpp-send: every option in --help completes in zsh" {
	check_options xmpp-send zsh completions/_xmpp-send $ZSH_SHARED
}

@test "xmpp-send: every option in --help completes in fish" {
	check_options xmpp-send fish completions/xmpp-send.fish $FISH_SHARED
}

@test "xmpp-listen: every option in --help is documented in xmpp-listen(1)" {
	check_options xmpp-listen man man/xmpp-listen.1
}

@test "xmpp-listen: every option in --help completes in bash" {
	check_options xmpp-listen bash completions/xmpp-listen.bash $BASH_SHARED
}

@test "xmpp-listen: every option in --help completes in zsh" {
	check_options xmpp-listen zsh completions/_xmpp-listen $ZSH_SHARED
}

@test "xmpp-listen: every option in --help completes in fish" {
	check_options xmpp-listen fish completions/xmpp-listen.fish $FISH_SHARED
}

@test "xmpp-roster: every option in --help is documented in xmpp-roster(1)" {
	check_options xmpp-roster man man/xmpp-roster.1
}

@test "xmpp-roster: every option in --help completes in bash" {
	check_options xmpp-roster bash completions/xmpp-roster.bash $BASH_SHARED
}

@test "xmpp-roster: every option in --help completes in zsh" {
	check_options xmpp-roster zsh completions/_xmpp-roster $ZSH_SHARED
}

@test "xmpp-roster: every option in --help completes in fish" {
	check_options xmpp-roster fish completions/xmpp-roster.fish $FISH_SHARED
}

@test "xmpp-check: every option in --help is documented in xmpp-check(1)" {
	check_options xmpp-check man man/xmpp-check.1
}

@test "xmpp-check: every option in --help completes in bash" {
	check_options xmpp-check bash completions/xmpp-check.bash $BASH_SHARED
}

@test "xmpp-check: every option in --help completes in zsh" {
	check_options xmpp-check zsh completions/_xmpp-check $ZSH_SHARED
}

@test "xmpp-check: every option in --help completes in fish" {
	check_options xmpp-check fish completions/xmpp-check.fish $FISH_SHARED
}

@test "xmpp-keys: every option in --help is documented in xmpp-keys(1)" {
	check_options xmpp-keys man man/xmpp-keys.1
}

@test "xmpp-keys: every option in --help completes in bash" {
	check_options xmpp-keys bash completions/xmpp-keys.bash $BASH_SHARED
}

@test "xmpp-keys: every option in --help completes in zsh" {
	check_options xmpp-keys zsh completions/_xmpp-keys $ZSH_SHARED
}

@test "xmpp-keys: every option in --help completes in fish" {
	check_options xmpp-keys fish completions/xmpp-keys.fish $FISH_SHARED
}

@test "xmpp-presence: every option in --help is documented in xmpp-presence(1)" {
	check_options xmpp-presence man man/xmpp-presence.1
}

@test "xmpp-presence: every option in --help completes in bash" {
	check_options xmpp-presence bash completions/xmpp-presence.bash $BASH_SHARED
}

@test "xmpp-presence: every option in --help completes in zsh" {
	check_options xmpp-presence zsh completions/_xmpp-presence $ZSH_SHARED
}

@test "xmpp-presence: every option in --help completes in fish" {
	check_options xmpp-presence fish completions/xmpp-presence.fish $FISH_SHARED
}

@test "xmpp-sendfile: every option in --help is documented in xmpp-sendfile(1)" {
	check_options xmpp-sendfile man man/xmpp-sendfile.1
}

@test "xmpp-sendfile: every option in --help completes in bash" {
	check_options xmpp-sendfile bash completions/xmpp-sendfile.bash $BASH_SHARED
}

@test "xmpp-sendfile: every option in --help completes in zsh" {
	check_options xmpp-sendfile zsh completions/_xmpp-sendfile $ZSH_SHARED
}

@test "xmpp-sendfile: every option in --help completes in fish" {
	check_options xmpp-sendfile fish completions/xmpp-sendfile.fish $FISH_SHARED
}

# xmpp-s2s-probe takes no account: its completions do not use the shared
# files (they would offer account options it does not have), so each file
# must hold every option itself, -v, -q, -h and -V included.
@test "xmpp-s2s-probe: every option in --help is documented in xmpp-s2s-probe(1)" {
	check_options xmpp-s2s-probe man man/xmpp-s2s-probe.1
}

@test "xmpp-s2s-probe: every option in --help completes in bash" {
	check_options xmpp-s2s-probe bash completions/xmpp-s2s-probe.bash
}

@test "xmpp-s2s-probe: every option in --help completes in zsh" {
	check_options xmpp-s2s-probe zsh completions/_xmpp-s2s-probe
}

@test "xmpp-s2s-probe: every option in --help completes in fish" {
	check_options xmpp-s2s-probe fish completions/xmpp-s2s-probe.fish
}

@test "xmpp-s2s-probe: its completions offer no account option" {
	local f opt
	local code
	for f in completions/xmpp-s2s-probe.bash completions/_xmpp-s2s-probe \
		completions/xmpp-s2s-probe.fish; do
		# the code, without its comments
		code=$(grep -v '^[[:space:]]*#' "$f")
		for opt in jid account config password-file password-cmd server \
			insecure resource; do
			if grep -qE -- "(--|-l[[:space:]]+)$opt([^[:alnum:]-]|\$)" <<<"$code"; then
				echo "$f offers --$opt" >&2
				return 1
			fi
		done
		if grep -qE '_xmpp_tools_common_opts|_xmpp_tools_common_arg|_xmpp-tools-common-args|__xmpp_tools_common ' <<<"$code"; then
			echo "$f uses the shared account options" >&2
			return 1
		fi
	done
}

@test "xmpp-send --version prints its name and version and exits 0" {
	check_version xmpp-send
}

@test "xmpp-listen --version prints its name and version and exits 0" {
	check_version xmpp-listen
}

@test "xmpp-roster --version prints its name and version and exits 0" {
	check_version xmpp-roster
}

@test "xmpp-check --version prints its name and version and exits 0" {
	check_version xmpp-check
}

@test "xmpp-keys --version prints its name and version and exits 0" {
	check_version xmpp-keys
}

@test "xmpp-presence --version prints its name and version and exits 0" {
	check_version xmpp-presence
}

@test "xmpp-sendfile --version prints its name and version and exits 0" {
	check_version xmpp-sendfile
}

@test "xmpp-s2s-probe --version prints its name and version and exits 0" {
	check_version xmpp-s2s-probe
}

@test "xmpp-send --help prints the usage on stdout and exits 0" {
	check_help xmpp-send
}

@test "xmpp-listen --help prints the usage on stdout and exits 0" {
	check_help xmpp-listen
}

@test "xmpp-roster --help prints the usage on stdout and exits 0" {
	check_help xmpp-roster
}

@test "xmpp-check --help prints the usage on stdout and exits 0" {
	check_help xmpp-check
}

@test "xmpp-keys --help prints the usage on stdout and exits 0" {
	check_help xmpp-keys
}

@test "xmpp-presence --help prints the usage on stdout and exits 0" {
	check_help xmpp-presence
}

@test "xmpp-sendfile --help prints the usage on stdout and exits 0" {
	check_help xmpp-sendfile
}

@test "xmpp-s2s-probe --help prints the usage on stdout and exits 0" {
	check_help xmpp-s2s-probe
}

@test "xmpp-send: an unknown option exits 64 with one error line naming it and --help" {
	check_unknown xmpp-send --no-such-option
	check_unknown xmpp-send -Z
}

@test "xmpp-listen: an unknown option exits 64 with one error line naming it and --help" {
	check_unknown xmpp-listen --no-such-option
	check_unknown xmpp-listen -Z
}

@test "xmpp-roster: an unknown option exits 64 with one error line naming it and --help" {
	check_unknown xmpp-roster --no-such-option
	check_unknown xmpp-roster -Z
}

@test "xmpp-check: an unknown option exits 64 with one error line naming it and --help" {
	check_unknown xmpp-check --no-such-option
	check_unknown xmpp-check -Z
}

@test "xmpp-keys: an unknown option exits 64 with one error line naming it and --help" {
	check_unknown xmpp-keys --no-such-option
	check_unknown xmpp-keys -Z
}

@test "xmpp-presence: an unknown option exits 64 with one error line naming it and --help" {
	check_unknown xmpp-presence --no-such-option
	check_unknown xmpp-presence -Z
}

@test "xmpp-sendfile: an unknown option exits 64 with one error line naming it and --help" {
	check_unknown xmpp-sendfile --no-such-option
	check_unknown xmpp-sendfile -Z
}

@test "xmpp-s2s-probe: an unknown option exits 64 with one error line naming it and --help" {
	check_unknown xmpp-s2s-probe --no-such-option
	check_unknown xmpp-s2s-probe -Z
	# no account options
	check_unknown xmpp-s2s-probe --jid
}

# ---- one meaning per option across the tools ----

ALL_TOOLS="xmpp-send xmpp-listen xmpp-roster xmpp-presence xmpp-sendfile xmpp-s2s-probe
	xmpp-check xmpp-keys"

# help_options: every option line of every tool's --help, as
# "TOOL SHORT LONG KIND" (SHORT "-" without a short form; KIND what the
# argument is, "-" for a flag). lib/opt.c prints the option and its
# argument in the 30 columns after the indent, the help after them. The
# kind groups the placeholders that name the same thing: a DOMAIN or a
# ROOM is a JID too; S is seconds and MS milliseconds, apart.
help_options() {
	local tool
	for tool in $ALL_TOOLS; do
		"$tool" --help | awk -v tool="$tool" '
			/^  (-[[:alnum:]], |    )--[a-z]/ {
				n = split(substr($0, 3, 30), w, " ")
				short = "-"
				i = 1
				if (w[1] ~ /^-[[:alnum:]],$/) {
					short = substr(w[1], 2, 1)
					i = 2
				}
				kind = n > i ? w[i + 1] : "-"
				if (kind ~ /^(JID|DOMAIN|ROOM)$/) kind = "JID"
				print tool, short, substr(w[i], 3), kind
			}'
	done
}

# conflicts KEY VALUE: from help_options on stdin, each KEY field (2:
# short, 3: long) whose VALUE fields differ between the tools, as
# "KEY: VALUE (TOOL,...) VALUE (TOOL,...)". A "-" key or value (no short
# form) is left out: a tool may do without the short letter.
conflicts() {
	awk -v k="$1" -v v="$2" '
		$k != "-" && $v != "-" {
			kv = $k SUBSEP $v
			if (kv in who) {
				who[kv] = who[kv] "," $1
			} else {
				n[$k]++
				vals[$k] = vals[$k] " " $v
				who[kv] = $1
			}
		}
		END {
			for (o in n) {
				if (n[o] < 2) continue
				line = o ":"
				m = split(vals[o], vs, " ")
				for (i = 1; i <= m; i++) line = line " " vs[i] " (" who[o, vs[i]] ")"
				print line
			}
		}'
}

@test "one meaning per option: each long option has one short letter (or none) in every tool" {
	local opts bad
	opts=$(help_options)
	[ "$(cut -d' ' -f1 <<<"$opts" | sort -u | wc -l)" -eq 8 ]
	bad=$(conflicts 3 2 <<<"$opts")
	[ -z "$bad" ] || { printf 'long options with different short letters:\n%s\n' "$bad" >&2; return 1; }
}

@test "one meaning per option: each long option takes the same kind of argument in every tool" {
	local bad
	# flags too: "-" is a kind here, a flag in one tool and not in another is a conflict
	bad=$(help_options | awk '{ $4 = $4 == "-" ? "flag" : $4; print }' | conflicts 3 4)
	[ -z "$bad" ] || { printf 'long options with different arguments:\n%s\n' "$bad" >&2; return 1; }
}

@test "one meaning per option: each short letter is one long option in every tool, and -j is --jid" {
	local opts bad
	opts=$(help_options)
	bad=$(conflicts 2 3 <<<"$opts")
	[ -z "$bad" ] || { printf 'short letters for different long options:\n%s\n' "$bad" >&2; return 1; }
	bad=$(awk '$2 == "j" && $3 != "jid" { print $1 ": -j is --" $3 }' <<<"$opts")
	[ -z "$bad" ] || { printf '%s\n' "$bad" >&2; return 1; }
	# and the seven tools with an account have it
	[ "$(awk '$2 == "j" && $3 == "jid"' <<<"$opts" | wc -l)" -eq 7 ]
}

@test "--timeout is the whole run's deadline in every tool's --help" {
	local tool line
	for tool in $ALL_TOOLS; do
		line=$("$tool" --help | grep -E -- '^ +--timeout ')
		[[ $line =~ ^\ +--timeout\ S\ +end\ the\ whole\ run\ after\ S\ seconds ]] ||
			{ echo "$tool: $line" >&2; return 1; }
	done
}

@test "the man pages have no mandoc warnings" {
	command -v mandoc >/dev/null || { echo "mandoc is not installed: make deps" >&2; return 1; }
	local page
	for page in man/xmpp-send.1 man/xmpp-listen.1 man/xmpp-roster.1 \
		man/xmpp-presence.1 man/xmpp-sendfile.1 man/xmpp-s2s-probe.1 \
		man/xmpp-check.1 man/xmpp-keys.1 man/xmpp-tools.7; do
		[ -f "$page" ] || { echo "$page does not exist" >&2; return 1; }
	done
	run mandoc -T lint -W warning man/*.1 man/*.7
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}

@test "the bash completion scripts are valid bash" {
	local f
	for f in completions/xmpp-send.bash completions/xmpp-listen.bash \
		completions/xmpp-roster.bash completions/xmpp-presence.bash \
		completions/xmpp-sendfile.bash completions/xmpp-s2s-probe.bash \
		completions/xmpp-check.bash completions/xmpp-keys.bash $BASH_SHARED; do
		bash -n "$f"
	done
}

@test "the zsh completion scripts are valid zsh" {
	command -v zsh >/dev/null || { echo "zsh is not installed: make deps" >&2; return 1; }
	local f
	for f in completions/_xmpp-send completions/_xmpp-listen \
		completions/_xmpp-roster completions/_xmpp-presence \
		completions/_xmpp-sendfile completions/_xmpp-s2s-probe \
		completions/_xmpp-check completions/_xmpp-keys $ZSH_SHARED; do
		zsh -n "$f"
	done
}

@test "the fish completion scripts are valid fish" {
	command -v fish >/dev/null || { echo "fish is not installed: make deps" >&2; return 1; }
	local f
	for f in completions/xmpp-send.fish completions/xmpp-listen.fish \
		completions/xmpp-roster.fish completions/xmpp-presence.fish \
		completions/xmpp-sendfile.fish completions/xmpp-s2s-probe.fish \
		completions/xmpp-check.fish completions/xmpp-keys.fish $FISH_SHARED; do
		fish -n "$f"
	done
}

@test "bash completes xmpp-listen --kind and xmpp-send -a from the config file" {
	mkdir -p "$XDG_CONFIG_HOME/xmpp-tools"
	printf 'jid = a@example.test\n[work]\njid = b@example.test\n  [ home ]\n' \
		>"$XDG_CONFIG_HOME/xmpp-tools/config"
	run bash --norc -c '
		source completions/xmpp-send.bash
		source completions/xmpp-listen.bash
		COMP_WORDS=(xmpp-listen --kind "") COMP_CWORD=2
		COMP_LINE="xmpp-listen --kind " COMP_POINT=${#COMP_LINE}
		_xmpp_listen xmpp-listen "" --kind
		echo "kind: ${COMPREPLY[*]}"
		COMP_WORDS=(xmpp-send -a "") COMP_CWORD=2
		COMP_LINE="xmpp-send -a " COMP_POINT=${#COMP_LINE}
		_xmpp_send xmpp-send "" -a
		echo "account: ${COMPREPLY[*]}"
		source tests/complete.bash
		c _xmpp_send xmpp-send --encrypt ""'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "kind: message presence iq" ]
	[ "${lines[1]}" = "account: work home" ]
	# --encrypt METHOD, as in xmpp-sendfile
	[ "${lines[2]}" = "[omemo]" ]
}

@test "bash completes the subcommands of xmpp-roster and xmpp-presence, and --show" {
	mkdir -p "$XDG_CONFIG_HOME/xmpp-tools"
	printf 'jid = a@example.test\n[work]\njid = b@example.test\n' \
		>"$XDG_CONFIG_HOME/xmpp-tools/config"
	run bash --norc -c '
		source completions/xmpp-roster.bash
		source completions/xmpp-presence.bash
		source tests/complete.bash
		c _xmpp_roster xmpp-roster ""
		c _xmpp_roster xmpp-roster -a work --name Bob s
		c _xmpp_roster xmpp-roster -a ""
		c _xmpp_roster xmpp-roster add ""
		c _xmpp_roster xmpp-roster import --dr
		c _xmpp_presence xmpp-presence ""
		c _xmpp_presence xmpp-presence --show ""
		c _xmpp_presence xmpp-presence --show dnd --priority -1 ""
		c _xmpp_presence xmpp-presence get ""'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "[list export import pending watch add set remove subscribe approve deny unsubscribe]" ]
	[ "${lines[1]}" = "[set subscribe]" ]
	[ "${lines[2]}" = "[work]" ]
	[ "${lines[3]}" = "[]" ]	# after the subcommand: a JID
	[ "${lines[4]}" = "[--dry-run]" ]
	[ "${lines[5]}" = "[get watch probe]" ]
	[ "${lines[6]}" = "[away chat dnd xa]" ]
	[ "${lines[7]}" = "[get watch probe]" ]
	[ "${lines[8]}" = "[]" ]
}

@test "bash completes xmpp-check's options, -a from the config file, and no operands" {
	mkdir -p "$XDG_CONFIG_HOME/xmpp-tools"
	printf 'jid = a@example.test\n[work]\njid = b@example.test\n' \
		>"$XDG_CONFIG_HOME/xmpp-tools/config"
	run bash --norc -c '
		source completions/xmpp-check.bash
		source tests/complete.bash
		c _xmpp_check xmpp-check --js
		c _xmpp_check xmpp-check -a ""
		c _xmpp_check xmpp-check --timeout ""
		c _xmpp_check xmpp-check --tls-min ""'
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "[--json]" ]
	[ "${lines[1]}" = "[work]" ]
	[ "${lines[2]}" = "[]" ]	# seconds
	[ "${lines[3]}" = "[1.2 1.3]" ]
}

@test "bash completes xmpp-sendfile's operands as files, -a from the config file, --content-type and --type" {
	mkdir -p "$XDG_CONFIG_HOME/xmpp-tools" "$BATS_TEST_TMPDIR/files"
	printf 'jid = a@example.test\n[work]\njid = b@example.test\n' \
		>"$XDG_CONFIG_HOME/xmpp-tools/config"
	touch "$BATS_TEST_TMPDIR/files/report.pdf" "$BATS_TEST_TMPDIR/files/notes.txt"
	run bash --norc -c '
		source completions/xmpp-sendfile.bash
		source tests/complete.bash
		cd "$1" || exit 1
		c _xmpp_sendfile xmpp-sendfile re
		c _xmpp_sendfile xmpp-sendfile --aesgcm report.pdf n
		c _xmpp_sendfile xmpp-sendfile -a ""
		c _xmpp_sendfile xmpp-sendfile --content-type image/p
		c _xmpp_sendfile xmpp-sendfile --no-s
		c _xmpp_sendfile xmpp-sendfile -- n
		c _xmpp_sendfile xmpp-sendfile --type h
		c _xmpp_sendfile xmpp-sendfile -t ""
		c _xmpp_sendfile xmpp-sendfile --encrypt ""
		c _xmpp_sendfile xmpp-sendfile --ae' _ "$BATS_TEST_TMPDIR/files"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "[report.pdf]" ]
	[ "${lines[1]}" = "[notes.txt]" ]
	[ "${lines[2]}" = "[work]" ]
	[ "${lines[3]}" = "[image/png]" ]
	[ "${lines[4]}" = "[--no-send]" ]
	[ "${lines[5]}" = "[notes.txt]" ]
	# --type is the link message's type, as xmpp-send's
	[ "${lines[6]}" = "[headline]" ]
	[ "${lines[7]}" = "[chat normal headline groupchat]" ]
	# --encrypt is xmpp-send's: a method; --aesgcm the flag for the file
	[ "${lines[8]}" = "[omemo]" ]
	[ "${lines[9]}" = "[--aesgcm]" ]
}

@test "bash completes xmpp-s2s-probe's options and their files, and no account" {
	mkdir -p "$BATS_TEST_TMPDIR/files/certs"
	touch "$BATS_TEST_TMPDIR/files/ca.pem" "$BATS_TEST_TMPDIR/files/root.key"
	run bash --norc -c '
		source completions/xmpp-s2s-probe.bash
		source tests/complete.bash
		cd "$1" || exit 1
		c _xmpp_s2s_probe xmpp-s2s-probe --tr
		c _xmpp_s2s_probe xmpp-s2s-probe --cafile c
		c _xmpp_s2s_probe xmpp-s2s-probe --capath ""
		c _xmpp_s2s_probe xmpp-s2s-probe --trust-anchor n
		c _xmpp_s2s_probe xmpp-s2s-probe --jobs ""
		c _xmpp_s2s_probe xmpp-s2s-probe -
		c _xmpp_s2s_probe xmpp-s2s-probe --ja
		c _xmpp_s2s_probe xmpp-s2s-probe ex' _ "$BATS_TEST_TMPDIR/files"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "[--trust-anchor]" ]
	[ "${lines[1]}" = "[ca.pem certs]" ]
	[ "${lines[2]}" = "[certs]" ]
	[ "${lines[3]}" = "[none]" ]
	[ "${lines[4]}" = "[]" ]	# --jobs: a number
	local offered=" ${lines[5]//[][]/ } "
	[[ $offered == *" --jobs "* && $offered != *" -j "* ]]	# no -j
	[ "${lines[6]}" = "[]" ]	# no --jid
	[ "${lines[7]}" = "[]" ]	# domains: nothing to offer
}

@test "make install puts binaries, man pages and completions under DESTDIR and PREFIX; uninstall removes them" {
	local root=$BATS_TEST_TMPDIR/root tool
	# O= the suite's own build: nothing is rebuilt
	run make --no-print-directory -s O="$XT_BIN" install DESTDIR="$root" PREFIX=/opt/xt
	[ "$status" -eq 0 ]
	for tool in xmpp-send xmpp-listen xmpp-roster xmpp-presence xmpp-sendfile \
		xmpp-s2s-probe xmpp-check; do
		[ -x "$root/opt/xt/bin/$tool" ]
		[ -f "$root/opt/xt/share/man/man1/$tool.1" ]
		[ -f "$root/opt/xt/share/bash-completion/completions/$tool" ]
		[ -f "$root/opt/xt/share/zsh/site-functions/_$tool" ]
		[ -f "$root/opt/xt/share/fish/vendor_completions.d/$tool.fish" ]
	done
	[ -f "$root/opt/xt/share/man/man7/xmpp-tools.7" ]
	run make --no-print-directory -s O="$XT_BIN" uninstall DESTDIR="$root" PREFIX=/opt/xt
	[ "$status" -eq 0 ]
	[ -z "$(find "$root" -type f)" ]
}

@test "README's Troubleshooting quotes error messages the tools still print" {
	# each quoted line must come from a format string in lib/ or cmd/
	run /usr/bin/python3 tests/tools/quoted-errors.py README.md lib/*.c cmd/*.c
	[ "$status" -eq 0 ] || { echo "$output" >&2; return 1; }
	# the five errors: certificate, password, account, DNS, port
	local msg
	for msg in 'TLS: cannot trust ' 'authentication failed for ' 'no account: ' \
		'cannot find the server of ' ' speaks direct TLS, not STARTTLS' 'cannot connect to '; do
		sed -n '/^## Troubleshooting$/,/^## /p' README.md | grep -q -- "^    xmpp-[a-z0-9-]*: .*$msg" ||
			{ echo "Troubleshooting does not quote '$msg'" >&2; return 1; }
	done
}
