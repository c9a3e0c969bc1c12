# bash completion for xmpp-roster(1)                       -*- shell-script -*-
# Install as $(pkg-config --variable=completionsdir bash-completion)/xmpp-roster,
# with xmpp-tools.bash-common beside it, or source it from ~/.bashrc. Works
# best with the bash-completion package, and without it too.

# the functions all the xmpp-tools share, from the file beside this one
. "${BASH_SOURCE[0]%/*}/xmpp-tools.bash-common" 2>/dev/null
declare -F _xmpp_tools_common_arg >/dev/null || return 0

# _xmpp_roster_arg OPTION: completes the argument of OPTION into
# COMPREPLY; returns 1 when OPTION takes no argument.
_xmpp_roster_arg()
{
    case $1 in
        --name | --group | --wait | --timeout)
            # free-form values: nothing to offer
            COMPREPLY=()
            ;;
        *)
            _xmpp_tools_common_arg "$1"
            ;;
    esac
}

_xmpp_roster()
{
    local cur prev words cword split=false
    _xmpp_tools_init || return

    if ! _xmpp_tools_ended; then
        _xmpp_roster_arg "$prev" && return 0
        $split && return 0

        if [[ $cur == -* ]]; then
            local opts='
                --name --group --prune --dry-run --json --text --wait --timeout'
            COMPREPLY=($(compgen -W "$opts $_xmpp_tools_common_opts" -- "$cur"))
            return 0
        fi
    fi

    # the subcommand, the first operand (skipping the options' arguments)
    if [[ -z $(_xmpp_tools_operand --name --group --wait --timeout) ]]; then
        COMPREPLY=($(compgen -W 'list export import pending watch add set
            remove subscribe approve deny unsubscribe' -- "$cur"))
    fi
    # after the subcommand, a contact's JID: nothing special to offer
} &&
    complete -F _xmpp_roster xmpp-roster

# ex: filetype=sh
