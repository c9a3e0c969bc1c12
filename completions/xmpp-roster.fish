# fish completion for xmpp-roster(1). Install as xmpp-roster.fish in a
# directory of $fish_complete_path (for instance
# /usr/local/share/fish/vendor_completions.d).

# The account names: the [NAME] section headers of the config file given
# with -c/--config, else of ${XDG_CONFIG_HOME:-$HOME/.config}/xmpp-tools/config.
function __xmpp_roster_accounts
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

# The subcommands; complete one until one is on the command line.
set -l __xmpp_roster_subcommands list export import pending watch add set remove subscribe approve deny unsubscribe

# after the subcommand, a contact's JID: no file names
complete -c xmpp-roster -f

complete -c xmpp-roster -n "not __fish_seen_subcommand_from $__xmpp_roster_subcommands" -a list -d 'Print the contacts (the default)'
complete -c xmpp-roster -n "not __fish_seen_subcommand_from $__xmpp_roster_subcommands" -a export -d 'Print the contacts as JSON lines, for import'
complete -c xmpp-roster -n "not __fish_seen_subcommand_from $__xmpp_roster_subcommands" -a import -d 'Make the roster hold the JSON lines of standard input'
complete -c xmpp-roster -n "not __fish_seen_subcommand_from $__xmpp_roster_subcommands" -a pending -d 'Print the subscription requests waiting for an answer'
complete -c xmpp-roster -n "not __fish_seen_subcommand_from $__xmpp_roster_subcommands" -a watch -d 'Print roster changes as they happen'
complete -c xmpp-roster -n "not __fish_seen_subcommand_from $__xmpp_roster_subcommands" -a add -d 'Add a contact, with --name and --group'
complete -c xmpp-roster -n "not __fish_seen_subcommand_from $__xmpp_roster_subcommands" -a set -d 'Change the name or the groups of a contact'
complete -c xmpp-roster -n "not __fish_seen_subcommand_from $__xmpp_roster_subcommands" -a remove -d 'Remove a contact'
complete -c xmpp-roster -n "not __fish_seen_subcommand_from $__xmpp_roster_subcommands" -a subscribe -d 'Ask a contact for its presence (adding it first)'
complete -c xmpp-roster -n "not __fish_seen_subcommand_from $__xmpp_roster_subcommands" -a approve -d "Accept a contact's subscription request"
complete -c xmpp-roster -n "not __fish_seen_subcommand_from $__xmpp_roster_subcommands" -a deny -d "Refuse a contact's request, or cancel an approval"
complete -c xmpp-roster -n "not __fish_seen_subcommand_from $__xmpp_roster_subcommands" -a unsubscribe -d "Stop receiving a contact's presence"

complete -c xmpp-roster -l name -x -d "The contact's name (add, set, subscribe)"
complete -c xmpp-roster -l group -x -d 'Put the contact in GROUP (repeatable; add, set, subscribe)'
complete -c xmpp-roster -l prune -d 'Import: remove contacts the input lacks'
complete -c xmpp-roster -l dry-run -d 'Import: print the changes, make none'
complete -c xmpp-roster -l json -d 'JSON lines (default when not a terminal)'
complete -c xmpp-roster -l text -d 'An aligned table (default on a terminal)'
complete -c xmpp-roster -l wait -x -d 'Pending: also wait S seconds for late requests (0)'
complete -c xmpp-roster -l timeout -x -d 'Watch: stop after S seconds'

# account, connection and output
complete -c xmpp-roster -s j -l jid -x -d 'Account to use (else XMPP_JID or the config file)'
complete -c xmpp-roster -s a -l account -x -a '(__xmpp_roster_accounts)' -d "Use the config file's account NAME"
complete -c xmpp-roster -s c -l config -r -F -d 'Config file (default $XDG_CONFIG_HOME/xmpp-tools/config)'
complete -c xmpp-roster -l password-file -r -F -d "Read the password from FILE's first line"
complete -c xmpp-roster -l password-cmd -x -a '(__fish_complete_command)' -d 'Run CMD and read the password from its output'
complete -c xmpp-roster -s s -l server -x -a '(__fish_print_hostnames)' -d 'Connect to HOST[:PORT] instead of looking up DNS SRV'
complete -c xmpp-roster -l direct-tls -d 'Use TLS from the first byte (XEP-0368), no STARTTLS'
complete -c xmpp-roster -l cafile -r -F -d 'Trust the CA certificates in FILE'
complete -c xmpp-roster -l capath -x -a '(__fish_complete_directories (commandline -ct))' -d 'Trust the hashed CA certificates in DIR'
complete -c xmpp-roster -l insecure -d "Do not verify the server's certificate (dangerous)"
complete -c xmpp-roster -l resource -x -d 'Resource to bind (default: the server picks)'
complete -c xmpp-roster -l connect-timeout -x -d 'Give up on any network step after S seconds (30)'
complete -c xmpp-roster -s v -l verbose -d 'Print the XML stream on stderr (secrets redacted)'
complete -c xmpp-roster -s q -l quiet -d 'Print nothing but errors'
complete -c xmpp-roster -s h -l help -d 'Print the help and exit'
complete -c xmpp-roster -s V -l version -d 'Print the version and exit'
