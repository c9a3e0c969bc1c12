# fish completion for xmpp-send(1). Install as xmpp-send.fish in a directory
# of $fish_complete_path (for instance /usr/local/share/fish/vendor_completions.d).

# The account names: the [NAME] section headers of the config file given
# with -c/--config, else of ${XDG_CONFIG_HOME:-$HOME/.config}/xmpp-tools/config.
function __xmpp_send_accounts
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

# recipients are JIDs: no file names
complete -c xmpp-send -f

complete -c xmpp-send -s m -l message -x -d 'The message body (else read from standard input)'
complete -c xmpp-send -l lines -d 'Send each input line as a message, as it arrives'
complete -c xmpp-send -l json -d 'Each input line is a JSON message object'
complete -c xmpp-send -l xml -d 'Input is raw XML stanzas, checked before sending'
complete -c xmpp-send -s t -l type -x -d 'Message type (default: chat)' \
    -a '(printf "%s\t%s\n" chat "one-to-one chat" normal "normal message" headline "headline, not stored" groupchat "room message")'
complete -c xmpp-send -l subject -x -d 'Message subject'
complete -c xmpp-send -l url -x -d 'Attach URL as out-of-band data (XEP-0066)'
complete -c xmpp-send -l muc -x -d 'Join the room ROOM and send to it (repeatable)'
complete -c xmpp-send -l nick -x -d "Nickname in rooms (default: the account's localpart)"
complete -c xmpp-send -l muc-password-file -r -F -d 'Read the room password from FILE'
complete -c xmpp-send -l no-store -d 'Ask servers not to archive the messages (XEP-0334)'
complete -c xmpp-send -l receipt -d 'Also wait for delivery receipts (XEP-0184)'
complete -c xmpp-send -l timeout -x -d 'Wait at most S seconds for confirmations (30)'

# account, connection and output
complete -c xmpp-send -s j -l jid -x -d 'Account to use (else XMPP_JID or the config file)'
complete -c xmpp-send -s a -l account -x -a '(__xmpp_send_accounts)' -d "Use the config file's account NAME"
complete -c xmpp-send -s c -l config -r -F -d 'Config file (default $XDG_CONFIG_HOME/xmpp-tools/config)'
complete -c xmpp-send -l password-file -r -F -d "Read the password from FILE's first line"
complete -c xmpp-send -l password-cmd -x -a '(__fish_complete_command)' -d 'Run CMD and read the password from its output'
complete -c xmpp-send -s s -l server -x -a '(__fish_print_hostnames)' -d 'Connect to HOST[:PORT] instead of looking up DNS SRV'
complete -c xmpp-send -l direct-tls -d 'Use TLS from the first byte (XEP-0368), no STARTTLS'
complete -c xmpp-send -l cafile -r -F -d 'Trust the CA certificates in FILE'
complete -c xmpp-send -l capath -x -a '(__fish_complete_directories (commandline -ct))' -d 'Trust the hashed CA certificates in DIR'
complete -c xmpp-send -l insecure -d "Do not verify the server's certificate (dangerous)"
complete -c xmpp-send -l resource -x -d 'Resource to bind (default: the server picks)'
complete -c xmpp-send -l connect-timeout -x -d 'Give up on any network step after S seconds (30)'
complete -c xmpp-send -s v -l verbose -d 'Print the XML stream on stderr (secrets redacted)'
complete -c xmpp-send -s q -l quiet -d 'Print nothing but errors'
complete -c xmpp-send -s h -l help -d 'Print the help and exit'
complete -c xmpp-send -s V -l version -d 'Print the version and exit'
