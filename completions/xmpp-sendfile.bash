# bash completion for xmpp-sendfile(1)                     -*- shell-script -*-
# Install as $(pkg-config --variable=completionsdir bash-completion)/xmpp-sendfile,
# with xmpp-tools.bash-common beside it, or source it from ~/.bashrc. Works
# best with the bash-completion package, and without it too.

# the functions all the xmpp-tools share, from the file beside this one
. "${BASH_SOURCE[0]%/*}/xmpp-tools.bash-common" 2>/dev/null
declare -F _xmpp_tools_common_arg >/dev/null || return 0

# _xmpp_sendfile_arg OPTION: completes the argument of OPTION into
# COMPREPLY; returns 1 when OPTION takes no argument.
_xmpp_sendfile_arg()
{
    case $1 in
        -t | --type)
            # the link message's type, as xmpp-send's -t
            COMPREPLY=($(compgen -W 'chat normal headline groupchat' -- "$cur"))
            ;;
        --content-type)
            COMPREPLY=($(compgen -W '
                application/octet-stream application/pdf application/json
                application/xml application/zip application/gzip
                application/x-tar application/x-xz text/plain text/markdown
                text/csv text/html image/png image/jpeg image/gif image/webp
                image/svg+xml video/mp4 video/webm audio/mpeg audio/ogg
                audio/mp4 audio/wav' -- "$cur"))
            ;;
        --encrypt)
            # the one method there is
            COMPREPLY=($(compgen -W 'omemo' -- "$cur"))
            ;;
        --muc-password-file)
            _xmpp_tools_files
            ;;
        --name | --muc | --nick | --retry | --resolve | --timeout)
            # free-form values: nothing to offer
            COMPREPLY=()
            ;;
        *)
            _xmpp_tools_common_arg "$1"
            ;;
    esac
}

_xmpp_sendfile()
{
    local cur prev words cword split=false
    _xmpp_tools_init || return

    if _xmpp_tools_ended; then
        # only operands after --: files (then recipients)
        _xmpp_tools_files
        return 0
    fi

    _xmpp_sendfile_arg "$prev" && return 0
    $split && return 0

    if [[ $cur == -* ]]; then
        local opts='
            --name --content-type -t --type --aesgcm --encrypt --no-send --json --muc --nick
            --muc-password-file --retry --resolve --timeout'
        COMPREPLY=($(compgen -W "$opts $_xmpp_tools_common_opts" -- "$cur"))
        return 0
    fi
    # operands: the files to upload (the recipients, JIDs, have nothing to offer)
    _xmpp_tools_files
} &&
    complete -F _xmpp_sendfile xmpp-sendfile

# ex: filetype=sh
