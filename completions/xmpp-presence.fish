# fish completion for xmpp-presence(1). Install as xmpp-presence.fish in a
# directory of $fish_complete_path (for instance
# /usr/local/share/fish/vendor_completions.d).

# The account names: the [NAME] section headers of the config file given
# with -c/--config, else of ${XDG_CONFIG_HOME:-$HOME/.config}/xmpp-tools/config.
function __xmpp_presence_accounts
    set -l conf
    set -l tokens (commandline -opc)
    set -l i 2
    while test $i -le (count $tokens)
        switch $tokens[$i]
            case --
                break
            case -c --config
                set i (math $i + 1)
                set conf $tokens[$i]
            case '--config=*'
                set conf (string replace -- --config= '' $tokens[$i])
            case '-c*'
                set conf (string sub -s 3 -- $tokens[$i])
        end
        set i (math $i + 1)
    end
    if test -z "$conf"
        set -l base $HOME/.config
        test -n "$XDG_CONFIG_HOME"; and set base $XDG_CONFIG_HOME
        set conf $base/xmpp-tools/config
    end
    set conf (string replace -r '^~/' "$HOME/" -- $conf)
    test -r "$conf"; or return 0
    string replace -rf '^\s*\[\s*([^\]]*[^\]\s])\s*\].*$' '$1' <$conf
end

# The subcommands; complete one until one is on the command line (none:
# set the presence).
set -l __xmpp_presence_subcommands get watch probe

# after the subcommand, contacts' JIDs: no file names
complete -c xmpp-presence -f

complete -c xmpp-presence -n "not __fish_seen_subcommand_from $__xmpp_presence_subcommands" -a get -d "Print the current presence of contacts (default: the roster's)"
complete -c xmpp-presence -n "not __fish_seen_subcommand_from $__xmpp_presence_subcommands" -a watch -d 'Print presence as it arrives'
complete -c xmpp-presence -n "not __fish_seen_subcommand_from $__xmpp_presence_subcommands" -a probe -d 'Ask the server for the presence of a contact'

complete -c xmpp-presence -l show -x -d 'Availability (default: plain available)' \
    -a '(printf "%s\t%s\n" away "away" chat "free to chat" dnd "do not disturb" xa "extended away")'
complete -c xmpp-presence -l status -x -d 'Status message'
complete -c xmpp-presence -l priority -x -d 'Priority, -128 to 127 (default 0)'
complete -c xmpp-presence -l for -x -d 'Keep the presence S seconds, then leave'
complete -c xmpp-presence -l once -d 'Send the presence and leave at once'
complete -c xmpp-presence -l wait -x -d 'Get, probe: also wait S seconds for late answers'
complete -c xmpp-presence -s n -l count -x -d 'Watch: stop after N presences'
complete -c xmpp-presence -l timeout -x -d 'Watch: stop after S seconds (75 if --count was not reached)'
complete -c xmpp-presence -l json -d 'JSON lines (default when not a terminal)'
complete -c xmpp-presence -l text -d 'Lines for people (default on a terminal)'

# account, connection and output
complete -c xmpp-presence -s j -l jid -x -d 'Account to use (else XMPP_JID or the config file)'
complete -c xmpp-presence -s a -l account -x -a '(__xmpp_presence_accounts)' -d "Use the config file's account NAME"
complete -c xmpp-presence -s c -l config -r -F -d 'Config file (default $XDG_CONFIG_HOME/xmpp-tools/config)'
complete -c xmpp-presence -l password-file -r -F -d "Read the password from FILE's first line"
complete -c xmpp-presence -l password-cmd -x -a '(__fish_complete_command)' -d 'Run CMD and read the password from its output'
complete -c xmpp-presence -s s -l server -x -a '(__fish_print_hostnames)' -d 'Connect to HOST[:PORT] instead of looking up DNS SRV'
complete -c xmpp-presence -l direct-tls -d 'Use TLS from the first byte (XEP-0368), no STARTTLS'
complete -c xmpp-presence -l cafile -r -F -d 'Trust the CA certificates in FILE'
complete -c xmpp-presence -l capath -x -a '(__fish_complete_directories (commandline -ct))' -d 'Trust the hashed CA certificates in DIR'
complete -c xmpp-presence -l insecure -d "Do not verify the server's certificate (dangerous)"
complete -c xmpp-presence -l resource -x -d 'Resource to bind (default: the server picks)'
complete -c xmpp-presence -l connect-timeout -x -d 'Give up on any network step after S seconds (30)'
complete -c xmpp-presence -s v -l verbose -d 'Print the XML stream on stderr (secrets redacted)'
complete -c xmpp-presence -s q -l quiet -d 'Print nothing but errors'
complete -c xmpp-presence -s h -l help -d 'Print the help and exit'
complete -c xmpp-presence -s V -l version -d 'Print the version and exit'
