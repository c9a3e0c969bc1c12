# bash completion for xmpp-listen(1)                       -*- shell-script -*-
# Install as $(pkg-config --variable=completionsdir bash-completion)/xmpp-listen,
# with xmpp-tools.bash-common beside it, or source it from ~/.bashrc. Works
# best with the bash-completion package, and without it too.

# the functions all the xmpp-tools share, from the file beside this one
. "${BASH_SOURCE[0]%/*}/xmpp-tools.bash-common" 2>/dev/null
declare -F _xmpp_tools_common_arg >/dev/null || return 0

# _xmpp_listen_arg OPTION: completes the argument of OPTION into
# COMPREPLY; returns 1 when OPTION takes no argument.
_xmpp_listen_arg()
{
    case $1 in
        --type)
            COMPREPLY=($(compgen -W 'chat normal headline groupchat error
                available unavailable subscribe subscribed unsubscribe
                unsubscribed' -- "$cur"))
            ;;
        --kind)
            COMPREPLY=($(compgen -W 'message presence iq' -- "$cur"))
            ;;
        --muc-password-file)
            _xmpp_tools_files
            ;;
        --exec)
            _xmpp_tools_commands
            ;;
        --from | -n | --count | --timeout | --muc | --nick | --since | --priority)
            # free-form values: nothing to offer
            COMPREPLY=()
            ;;
        *)
            _xmpp_tools_common_arg "$1"
            ;;
    esac
}

_xmpp_listen()
{
    local cur prev words cword split=false
    _xmpp_tools_init || return

    _xmpp_listen_arg "$prev" && return 0
    $split && return 0

    # xmpp-listen takes no operands: always offer the options
    local opts='
        --json --xml --text --full --from --type --kind -n --count --timeout
        --muc --nick --muc-password-file --since --exec --no-presence
        --no-carbons --reconnect --priority --offline'
    COMPREPLY=($(compgen -W "$opts $_xmpp_tools_common_opts" -- "$cur"))
} &&
    complete -F _xmpp_listen xmpp-listen

# ex: filetype=sh
