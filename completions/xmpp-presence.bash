# bash completion for xmpp-presence(1)                     -*- shell-script -*-
# Install as $(pkg-config --variable=completionsdir bash-completion)/xmpp-presence,
# with xmpp-tools.bash-common beside it, or source it from ~/.bashrc. Works
# best with the bash-completion package, and without it too.

# the functions all the xmpp-tools share, from the file beside this one
. "${BASH_SOURCE[0]%/*}/xmpp-tools.bash-common" 2>/dev/null
declare -F _xmpp_tools_common_arg >/dev/null || return 0

# _xmpp_presence_arg OPTION: completes the argument of OPTION into
# COMPREPLY; returns 1 when OPTION takes no argument.
_xmpp_presence_arg()
{
    case $1 in
        --show)
            COMPREPLY=($(compgen -W 'away chat dnd xa' -- "$cur"))
            ;;
        --status | --priority | --for | --wait | -n | --count | --timeout)
            # free-form values: nothing to offer
            COMPREPLY=()
            ;;
        *)
            _xmpp_tools_common_arg "$1"
            ;;
    esac
}

_xmpp_presence()
{
    local cur prev words cword split=false
    _xmpp_tools_init || return

    if ! _xmpp_tools_ended; then
        _xmpp_presence_arg "$prev" && return 0
        $split && return 0

        if [[ $cur == -* ]]; then
            local opts='
                --show --status --priority --for --once --wait -n --count
                --timeout --json --text'
            COMPREPLY=($(compgen -W "$opts $_xmpp_tools_common_opts" -- "$cur"))
            return 0
        fi
    fi

    # the subcommand, the first operand (none: set the presence)
    if [[ -z $(_xmpp_tools_operand --show --status --priority --for --wait \
        -n --count --timeout) ]]; then
        COMPREPLY=($(compgen -W 'get watch probe' -- "$cur"))
    fi
    # after the subcommand, contacts' JIDs: nothing special to offer
} &&
    complete -F _xmpp_presence xmpp-presence

# ex: filetype=sh
