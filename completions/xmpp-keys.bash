# bash completion for xmpp-keys(1)                         -*- shell-script -*-
# Install as $(pkg-config --variable=completionsdir bash-completion)/xmpp-keys,
# with xmpp-tools.bash-common beside it, or source it from ~/.bashrc. Works
# best with the bash-completion package, and without it too.

# the functions all the xmpp-tools share, from the file beside this one
. "${BASH_SOURCE[0]%/*}/xmpp-tools.bash-common" 2>/dev/null
declare -F _xmpp_tools_common_arg >/dev/null || return 0

# _xmpp_keys_arg OPTION: completes the argument of OPTION into COMPREPLY;
# returns 1 when OPTION takes no argument.
_xmpp_keys_arg()
{
    case $1 in
        --timeout)
            COMPREPLY=()
            ;;
        *)
            _xmpp_tools_common_arg "$1"
            ;;
    esac
}

_xmpp_keys()
{
    local cur prev words cword split=false
    _xmpp_tools_init || return

    if ! _xmpp_tools_ended; then
        _xmpp_keys_arg "$prev" && return 0
        $split && return 0

        if [[ $cur == -* ]]; then
            local opts='--json --text --timeout'
            COMPREPLY=($(compgen -W "$opts $_xmpp_tools_common_opts" -- "$cur"))
            return 0
        fi
    fi

    # the subcommand first; after list, contacts' JIDs
    if [[ -z $(_xmpp_tools_operand --timeout) ]]; then
        COMPREPLY=($(compgen -W 'init list' -- "$cur"))
    fi
} &&
    complete -F _xmpp_keys xmpp-keys

# ex: filetype=sh
