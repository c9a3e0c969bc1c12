# fish completion for xmpp-sendfile(1). Install as xmpp-sendfile.fish in a
# directory of $fish_complete_path (for instance /usr/local/share/fish/vendor_completions.d).

# The account names: the [NAME] section headers of the config file given
# with -c/--config, else of ${XDG_CONFIG_HOME:-$HOME/.config}/xmpp-tools/config.
function __xmpp_sendfile_accounts
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

# operands are the files to upload, then recipient JIDs: fish offers file
# names for them by default, so no "complete -f" here

complete -c xmpp-sendfile -l name -x -d "File name to announce (default: the base name; stdin for -)"
complete -c xmpp-sendfile -l type -x -d 'Content-Type (default: guessed from the name)' \
    -a 'application/octet-stream application/pdf application/json application/xml application/zip application/gzip application/x-tar application/x-xz text/plain text/markdown text/csv text/html image/png image/jpeg image/gif image/webp image/svg+xml video/mp4 video/webm audio/mpeg audio/ogg audio/mp4 audio/wav'
complete -c xmpp-sendfile -l encrypt -d 'AES-256-GCM encrypt; send an aesgcm:// link (XEP-0454)'
complete -c xmpp-sendfile -l no-send -d 'Only upload and print the links'
complete -c xmpp-sendfile -l json -d 'Print {file, url, size, sha256, content_type} per file'
complete -c xmpp-sendfile -l muc -x -d 'Send the links to the room ROOM (repeatable)'
complete -c xmpp-sendfile -l nick -x -d "Nickname in rooms (default: the account's localpart)"
complete -c xmpp-sendfile -l muc-password-file -r -F -d 'Read the room password from FILE'
complete -c xmpp-sendfile -l retry -x -d 'Retry a failed upload N times (0)'
complete -c xmpp-sendfile -l resolve -x -d 'Reach the upload HOST:PORT at ADDR (as curl)'
complete -c xmpp-sendfile -l timeout -x -d 'Wait at most S seconds for confirmations (30)'

# account, connection and output
complete -c xmpp-sendfile -s j -l jid -x -d 'Account to use (else XMPP_JID or the config file)'
complete -c xmpp-sendfile -s a -l account -x -a '(__xmpp_sendfile_accounts)' -d "Use the config file's account NAME"
complete -c xmpp-sendfile -s c -l config -r -F -d 'Config file (default $XDG_CONFIG_HOME/xmpp-tools/config)'
complete -c xmpp-sendfile -l password-file -r -F -d "Read the password from FILE's first line"
complete -c xmpp-sendfile -l password-cmd -x -a '(__fish_complete_command)' -d 'Run CMD and read the password from its output'
complete -c xmpp-sendfile -s s -l server -x -a '(__fish_print_hostnames)' -d 'Connect to HOST[:PORT] instead of looking up DNS SRV'
complete -c xmpp-sendfile -l direct-tls -d 'Use TLS from the first byte (XEP-0368), no STARTTLS'
complete -c xmpp-sendfile -l cafile -r -F -d 'Trust the CA certificates in FILE'
complete -c xmpp-sendfile -l capath -x -a '(__fish_complete_directories (commandline -ct))' -d 'Trust the hashed CA certificates in DIR'
complete -c xmpp-sendfile -l insecure -d "Do not verify the server's certificate (dangerous)"
complete -c xmpp-sendfile -l resource -x -d 'Resource to bind (default: the server picks)'
complete -c xmpp-sendfile -l connect-timeout -x -d 'Give up on any network step after S seconds (30)'
complete -c xmpp-sendfile -s v -l verbose -d 'Print the XML stream on stderr (secrets redacted)'
complete -c xmpp-sendfile -s q -l quiet -d 'Print nothing but errors, no progress bar'
complete -c xmpp-sendfile -s h -l help -d 'Print the help and exit'
complete -c xmpp-sendfile -s V -l version -d 'Print the version and exit'
