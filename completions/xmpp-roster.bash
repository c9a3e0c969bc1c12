# bash completion for xmpp-roster(1)                       -*- shell-script -*-
# Install as $(pkg-config --variable=completionsdir bash-completion)/xmpp-roster
# or source it from ~/.bashrc. Works best with the bash-completion package,
# and without it too.

# _xmpp_roster_accounts CONFIG: prints the account names, the [NAME] section
# headers of CONFIG (default: ${XDG_CONFIG_HOME:-$HOME/.config}/xmpp-tools/config).
_xmpp_roster_accounts()
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

# _xmpp_roster_config: the -c/--config FILE given so far on the command line.
_xmpp_roster_config()
{
    local i w conf=
    for ((i = 1; i < cword; i++)); do
        w=${words[i]}
        case $w in
            --) break ;;
            -c | --config)
                conf=${words[i + 1]}
                # without bash-completion, --config=FILE is three words
                [[ $conf == = ]] && conf=${words[i + 2]}
                ;;
            --config=*) conf=${w#--config=} ;;
            -c?*) conf=${w#-c} ;;
        esac
    done
    printf '%s\n' "$conf"
}

# _xmpp_roster_arg OPTION: completes the argument of OPTION into
# COMPREPLY; returns 1 when OPTION takes no argument.
_xmpp_roster_arg()
{
    local name
    case $1 in
        -c | --config | --password-file | --cafile)
            if declare -F _filedir >/dev/null; then
                _filedir
            else
                compopt -o filenames 2>/dev/null
                COMPREPLY=($(compgen -f -- "$cur"))
            fi
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
            done < <(_xmpp_roster_accounts "$(_xmpp_roster_config)")
            ;;
        -s | --server)
            if declare -F _known_hosts_real >/dev/null; then
                _known_hosts_real -- "$cur"
            else
                COMPREPLY=($(compgen -A hostname -- "$cur"))
            fi
            ;;
        -j | --jid | --name | --group | --wait | --timeout | --resource | \
            --connect-timeout)
            # free-form values: nothing to offer
            COMPREPLY=()
            ;;
        *)
            return 1
            ;;
    esac
    return 0
}

# _xmpp_roster_subcommand: prints the subcommand given so far, the first
# operand, if there is one.
_xmpp_roster_subcommand()
{
    local i w ended=false
    for ((i = 1; i < cword; i++)); do
        w=${words[i]}
        if ! $ended; then
            case $w in
                --)
                    ended=true
                    continue
                    ;;
                -j | --jid | -a | --account | -c | --config | --password-file | \
                    --password-cmd | -s | --server | --cafile | --capath | \
                    --resource | --connect-timeout | --name | --group | --wait | \
                    --timeout)
                    # the option's argument; without bash-completion,
                    # --opt=value is the three words --opt = value
                    [[ ${words[i + 1]} == = ]] && ((i++))
                    ((i++))
                    continue
                    ;;
                -* | =) continue ;;
            esac
        fi
        printf '%s\n' "$w"
        return 0
    done
}

_xmpp_roster()
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

    local w ended=false
    for w in "${words[@]:1:cword-1}"; do
        [[ $w == -- ]] && ended=true
    done

    if ! $ended; then
        _xmpp_roster_arg "$prev" && return 0
        $split && return 0

        if [[ $cur == -* ]]; then
            local opts='
                --name --group --prune --dry-run --json --text --wait --timeout
                -j --jid -a --account -c --config --password-file --password-cmd
                -s --server --direct-tls --cafile --capath --insecure --resource
                --connect-timeout -v --verbose -q --quiet -h --help -V --version'
            COMPREPLY=($(compgen -W "$opts" -- "$cur"))
            return 0
        fi
    fi

    if [[ -z $(_xmpp_roster_subcommand) ]]; then
        COMPREPLY=($(compgen -W 'list export import pending watch add set
            remove subscribe approve deny unsubscribe' -- "$cur"))
    fi
    # after the subcommand, a contact's JID: nothing special to offer
} &&
    complete -F _xmpp_roster xmpp-roster

# ex: filetype=sh
