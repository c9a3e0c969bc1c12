# bash completion for xmpp-sendfile(1)                     -*- shell-script -*-
# Install as $(pkg-config --variable=completionsdir bash-completion)/xmpp-sendfile
# or source it from ~/.bashrc. Works best with the bash-completion package,
# and without it too.

# _xmpp_sendfile_accounts CONFIG: prints the account names, the [NAME] section
# headers of CONFIG (default: ${XDG_CONFIG_HOME:-$HOME/.config}/xmpp-tools/config).
_xmpp_sendfile_accounts()
{
    local conf=$1 line
    local re='^[[:space:]]*\[[[:space:]]*([^]]*[^][:space:]])[[:space:]]*\]'
    [[ $conf == '~/'* ]] && conf=$HOME/${conf#'~/'}
    [[ -n $conf ]] || conf=${XDG_CONFIG_HOME:-$HOME/.config}/xmpp-tools/config
    [[ -r $conf ]] || return 0
    while IFS= read -r line || [[ -n $line ]]; do
        [[ $line =~ $re ]] && printf '%s\n' "${BASH_REMATCH[1]}"
    done <"$conf"
}

# _xmpp_sendfile_config: the -c/--config FILE given so far on the command line.
_xmpp_sendfile_config()
{
    local i w conf=
    for ((i = 1; i < cword; i++)); do
        w=${words[i]}
        case $w in
            --) break ;;
            -c | --config) conf=${words[i + 1]} ;;
            --config=*) conf=${w#--config=} ;;
            -c?*) conf=${w#-c} ;;
        esac
    done
    printf '%s\n' "$conf"
}

# _xmpp_sendfile_files: completes file names into COMPREPLY.
_xmpp_sendfile_files()
{
    if declare -F _filedir >/dev/null; then
        _filedir
    else
        compopt -o filenames 2>/dev/null
        COMPREPLY=($(compgen -f -- "$cur"))
    fi
}

# _xmpp_sendfile_arg OPTION: completes the argument of OPTION into
# COMPREPLY; returns 1 when OPTION takes no argument.
_xmpp_sendfile_arg()
{
    local name
    case $1 in
        --type)
            COMPREPLY=($(compgen -W '
                application/octet-stream application/pdf application/json
                application/xml application/zip application/gzip
                application/x-tar application/x-xz text/plain text/markdown
                text/csv text/html image/png image/jpeg image/gif image/webp
                image/svg+xml video/mp4 video/webm audio/mpeg audio/ogg
                audio/mp4 audio/wav' -- "$cur"))
            ;;
        -c | --config | --password-file | --cafile | --muc-password-file)
            _xmpp_sendfile_files
            ;;
        --capath)
            if declare -F _filedir >/dev/null; then
                _filedir -d
            else
                compopt -o filenames 2>/dev/null
                COMPREPLY=($(compgen -d -- "$cur"))
            fi
            ;;
        --password-cmd)
            compopt -o filenames 2>/dev/null
            COMPREPLY=($(compgen -c -- "$cur"))
            ;;
        -a | --account)
            COMPREPLY=()
            while IFS= read -r name; do
                printf -v name %q "$name" # "my acct" -> my\ acct
                [[ $name == "$cur"* ]] && COMPREPLY+=("$name")
            done < <(_xmpp_sendfile_accounts "$(_xmpp_sendfile_config)")
            ;;
        -s | --server)
            if declare -F _known_hosts_real >/dev/null; then
                _known_hosts_real -- "$cur"
            else
                COMPREPLY=($(compgen -A hostname -- "$cur"))
            fi
            ;;
        -j | --jid | --name | --muc | --nick | --retry | --resolve | \
            --timeout | --connect-timeout | --resource)
            # free-form values: nothing to offer
            COMPREPLY=()
            ;;
        *)
            return 1
            ;;
    esac
    return 0
}

_xmpp_sendfile()
{
    local cur prev words cword split=false
    if declare -F _init_completion >/dev/null; then
        _init_completion -s || return
    else
        words=("${COMP_WORDS[@]}") cword=$COMP_CWORD
        cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
        # COMP_WORDBREAKS splits --opt=value into "--opt" "=" "value"
        if [[ $cur == = ]]; then
            cur=
        elif [[ $prev == = && $cword -ge 2 ]]; then
            prev=${COMP_WORDS[COMP_CWORD - 2]}
        fi
    fi

    local w
    for w in "${words[@]:1:cword-1}"; do
        if [[ $w == -- ]]; then
            # only operands after --: files (then recipients)
            _xmpp_sendfile_files
            return 0
        fi
    done

    _xmpp_sendfile_arg "$prev" && return 0
    $split && return 0

    if [[ $cur == -* ]]; then
        local opts='
            --name --type --encrypt --no-send --json --muc --nick
            --muc-password-file --retry --resolve --timeout
            -j --jid -a --account -c --config --password-file --password-cmd
            -s --server --direct-tls --cafile --capath --insecure --resource
            --connect-timeout -v --verbose -q --quiet -h --help -V --version'
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
        return 0
    fi
    # operands: the files to upload (the recipients, JIDs, have nothing to offer)
    _xmpp_sendfile_files
} &&
    complete -F _xmpp_sendfile xmpp-sendfile

# ex: filetype=sh
