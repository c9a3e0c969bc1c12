# bash completion for xmpp-s2s-probe(1)                    -*- shell-script -*-
# Install as $(pkg-config --variable=completionsdir bash-completion)/xmpp-s2s-probe,
# with xmpp-tools.bash-common beside it, or source it from ~/.bashrc. Works
# best with the bash-completion package, and without it too.
#
# xmpp-s2s-probe takes no account: none of the account and connection
# options of the other tools (and no -j: that is their --jid; --jobs here),
# so it does not offer the shared option list. Only the helper functions come from the shared file.

# the functions all the xmpp-tools share, from the file beside this one
. "${BASH_SOURCE[0]%/*}/xmpp-tools.bash-common" 2>/dev/null
declare -F _xmpp_tools_init >/dev/null || return 0

# _xmpp_s2s_probe_arg OPTION: completes the argument of OPTION into
# COMPREPLY; returns 1 when OPTION takes no argument.
_xmpp_s2s_probe_arg()
{
    case $1 in
        --cafile | --cert | --key)
            _xmpp_tools_files
            ;;
        --capath)
            _xmpp_tools_files -d
            ;;
        --trust-anchor)
            # a zone file of DS or DNSKEY records, or "none"
            _xmpp_tools_files
            [[ none == "$cur"* ]] && COMPREPLY+=(none)
            ;;
        --connect)
            if declare -F _known_hosts_real >/dev/null; then
                _known_hosts_real -- "$cur"
            else
                COMPREPLY=($(compgen -A hostname -- "$cur"))
            fi
            ;;
        --from | --dns-server | --jobs | --timeout | --connect-timeout | --warn-days)
            # free-form values (a domain, an IP address, numbers): nothing
            # to offer
            COMPREPLY=()
            ;;
        *)
            return 1
            ;;
    esac
    return 0
}

_xmpp_s2s_probe()
{
    local cur prev words cword split=false
    _xmpp_tools_init || return

    # the operands are domains: nothing to offer for them
    _xmpp_tools_ended && return 0

    _xmpp_s2s_probe_arg "$prev" && return 0
    $split && return 0

    if [[ $cur == -* ]]; then
        local opts='
            --json --text --c2s --from --cert --key --cafile --capath
            --dns-server --trust-anchor --connect --direct-tls -4 --ipv4
            -6 --ipv6 --jobs --timeout --connect-timeout --warn-days --no-tls-versions
            --strict -v --verbose -q --quiet -h --help -V --version'
        COMPREPLY=($(compgen -W "$opts" -- "$cur"))
    fi
    return 0
} &&
    complete -F _xmpp_s2s_probe xmpp-s2s-probe

# ex: filetype=sh
