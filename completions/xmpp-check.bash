# bash completion for xmpp-check(1)                        -*- shell-script -*-
# Install as $(pkg-config --variable=completionsdir bash-completion)/xmpp-check,
# with xmpp-tools.bash-common beside it, or source it from ~/.bashrc. Works
# best with the bash-completion package, and without it too.

# the functions all the xmpp-tools share, from the file beside this one
. "${BASH_SOURCE[0]%/*}/xmpp-tools.bash-common" 2>/dev/null
declare -F _xmpp_tools_common_arg >/dev/null || return 0

_xmpp_check()
{
    local cur prev words cword split=false
    _xmpp_tools_init || return

    case $prev in
        --timeout)
            # seconds: nothing to offer
            COMPREPLY=()
            return 0
            ;;
    esac
    _xmpp_tools_common_arg "$prev" && return 0
    $split && return 0
    # no operands: only options
    COMPREPLY=($(compgen -W "--json --timeout $_xmpp_tools_common_opts" -- "$cur"))
} &&
    complete -F _xmpp_check xmpp-check

# ex: filetype=sh
