# fish completion for xmpp-listen(1). Install as xmpp-listen.fish in a directory
# of $fish_complete_path (for instance /usr/local/share/fish/vendor_completions.d).

# The account names: the [NAME] section headers of the config file given
# with -c/--config, else of ${XDG_CONFIG_HOME:-$HOME/.config}/xmpp-tools/config.
function __xmpp_listen_accounts
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

# xmpp-listen takes no operands: no file names
complete -c xmpp-listen -f

complete -c xmpp-listen -l json -d 'One JSON object per line (default when not a terminal)'
complete -c xmpp-listen -l xml -d 'Raw stanzas, one per line'
complete -c xmpp-listen -l text -d 'Lines for people (default on a terminal)'
complete -c xmpp-listen -l full -d 'Add the raw stanza as "xml" to each JSON object'
complete -c xmpp-listen -l from -x -d 'Only stanzas from JID (bare: any resource; repeatable)'
complete -c xmpp-listen -l type -x -d 'Only stanzas of this type' \
    -a '(printf "%s\t%s\n" chat "one-to-one chat" normal "normal message" headline "headline message" groupchat "room message" error "error stanza" available "available presence" unavailable "unavailable presence" subscribe "subscription request" subscribed "subscription approved" unsubscribe "unsubscription" unsubscribed "subscription cancelled")'
complete -c xmpp-listen -l kind -x -d 'Stanza kind (default: message and presence)' \
    -a 'message presence iq'
complete -c xmpp-listen -s n -l count -x -d 'Exit after printing N stanzas'
complete -c xmpp-listen -l timeout -x -d 'Exit after S seconds (status 75 if --count was not reached)'
complete -c xmpp-listen -l muc -x -d 'Join the room ROOM (repeatable)'
complete -c xmpp-listen -l nick -x -d "Nickname in rooms (default: the account's localpart)"
complete -c xmpp-listen -l muc-password-file -r -F -d 'Read the room password from FILE'
complete -c xmpp-listen -l since -x -d 'First print archived messages since TIME (MAM)'
complete -c xmpp-listen -l exec -x -a '(__fish_complete_command)' -d 'Run CMD for each message, its JSON on standard input'
complete -c xmpp-listen -l no-presence -d 'Do not send presence: stay invisible'
complete -c xmpp-listen -l no-carbons -d "Do not ask for copies of other clients' messages"

# account, connection and output
complete -c xmpp-listen -s j -l jid -x -d 'Account to use (else XMPP_JID or the config file)'
complete -c xmpp-listen -s a -l account -x -a '(__xmpp_listen_accounts)' -d "Use the config file's account NAME"
complete -c xmpp-listen -s c -l config -r -F -d 'Config file (default $XDG_CONFIG_HOME/xmpp-tools/config)'
complete -c xmpp-listen -l password-file -r -F -d "Read the password from FILE's first line"
complete -c xmpp-listen -l password-cmd -x -a '(__fish_complete_command)' -d 'Run CMD and read the password from its output'
complete -c xmpp-listen -s s -l server -x -a '(__fish_print_hostnames)' -d 'Connect to HOST[:PORT] instead of looking up DNS SRV'
complete -c xmpp-listen -l direct-tls -d 'Use TLS from the first byte (XEP-0368), no STARTTLS'
complete -c xmpp-listen -l cafile -r -F -d 'Trust the CA certificates in FILE'
complete -c xmpp-listen -l capath -x -a '(__fish_complete_directories (commandline -ct))' -d 'Trust the hashed CA certificates in DIR'
complete -c xmpp-listen -l insecure -d "Do not verify the server's certificate (dangerous)"
complete -c xmpp-listen -l resource -x -d 'Resource to bind (default: the server picks)'
complete -c xmpp-listen -l connect-timeout -x -d 'Give up on any network step after S seconds (30)'
complete -c xmpp-listen -s v -l verbose -d 'Print the XML stream on stderr (secrets redacted)'
complete -c xmpp-listen -s q -l quiet -d 'Print nothing but errors'
complete -c xmpp-listen -s h -l help -d 'Print the help and exit'
complete -c xmpp-listen -s V -l version -d 'Print the version and exit'
