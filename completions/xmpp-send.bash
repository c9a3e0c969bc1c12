# bash completion for xmpp-send(1)                         -*- shell-script -*-
# Install as $(pkg-config --variable=completionsdir bash-completion)/xmpp-send,
# with xmpp-tools.bash-common beside it, or source it from ~/.bashrc. Works
# best with the bash-completion package, and without it too.

# the functions all the xmpp-tools share, from the file beside this one
. "${BASH_SOURCE[0]%/*}/xmpp-tools.bash-common" 2>/dev/null
declare -F _xmpp_tools_common_arg >/dev/null || return 0

# _xmpp_send_arg OPTION: completes the argument of OPTION into
# COMPREPLY; returns 1 when OPTION takes no argument.
_xmpp_send_arg()
{
    case $1 in
        -t | --type)
            COMPREPLY=($(compgen -W 'chat normal headline groupchat' -- "$cur"))
            ;;
        --encrypt)
            # the one method there is
            COMPREPLY=($(compgen -W 'omemo' -- "$cur"))
            ;;
        --muc-password-file)
            _xmpp_tools_files
            ;;
        -m | --message | --subject | --url | --muc | --nick | --timeout | \
            --retry-for | --bounce-wait)
            # free-form values: nothing to offer
            COMPREPLY=()
            ;;
        *)
            _xmpp_tools_common_arg "$1"
            ;;
    esac
}

_xmpp_send()
{
    local cur prev words cword split=false
    _xmpp_tools_init || return

    # only recipients (JIDs) after --
    _xmpp_tools_ended && return 0

    _xmpp_send_arg "$prev" && return 0
    $split && return 0

    if [[ $cur == -* ]]; then
        local opts='
            -m --message --lines --json --xml -t --type --subject --url
            --muc --nick --muc-password-file --no-store --receipt --encrypt --timeout
            --retry-for --bounce-wait'
        COMPREPLY=($(compgen -W "$opts $_xmpp_tools_common_opts" -- "$cur"))
    fi
    # recipients are JIDs: nothing special to offer
} &&
    complete -F _xmpp_send xmpp-send

# ex: filetype=sh
