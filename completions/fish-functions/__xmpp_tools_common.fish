# fish function of the xmpp-tools completions: __xmpp_tools_common COMMAND
# [QUIET] registers the completions of the options every xmpp-tools command
# takes (lib/opt.c's common_opts: account, connection and output) for
# COMMAND. QUIET: the description of -q/--quiet (default: Print nothing but
# errors). Install as __xmpp_tools_common.fish in a directory of
# $fish_function_path (for instance /usr/local/share/fish/vendor_functions.d).
function __xmpp_tools_common -a cmd quiet
    test -n "$quiet"; or set quiet 'Print nothing but errors'
    complete -c $cmd -s j -l jid -x -d 'Account to use (else XMPP_JID or the config file)'
    complete -c $cmd -s a -l account -x -a '(__xmpp_tools_accounts)' -d "Use the config file's account NAME"
    complete -c $cmd -s c -l config -r -F -d 'Config file (default $XDG_CONFIG_HOME/xmpp-tools/config)'
    complete -c $cmd -l password-file -r -F -d "Read the password from FILE's first line"
    complete -c $cmd -l password-cmd -x -a '(__fish_complete_command)' -d 'Run CMD and read the password from its output'
    complete -c $cmd -s s -l server -x -a '(__fish_print_hostnames)' -d 'Connect to HOST[:PORT] instead of looking up DNS SRV'
    complete -c $cmd -l direct-tls -d 'Use TLS from the first byte (XEP-0368), no STARTTLS'
    complete -c $cmd -l cafile -r -F -d 'Trust the CA certificates in FILE'
    complete -c $cmd -l capath -x -a '(__fish_complete_directories (commandline -ct))' -d 'Trust the hashed CA certificates in DIR'
    complete -c $cmd -l pin -x -d 'Trust only the server key with this SHA-256 (sha256:BASE64)'
    complete -c $cmd -l allow-plain -d "Allow SASL PLAIN after SCRAM worked before"
    complete -c $cmd -l tls-min -x -a '1.2 1.3' -d 'Refuse TLS below VERSION: 1.2 (default) or 1.3'
    complete -c $cmd -l insecure -d "Do not verify the server's certificate (dangerous)"
    complete -c $cmd -l resource -x -d 'Resource to bind (default: the server picks)'
    complete -c $cmd -l connect-timeout -x -d 'Give up on any network step after S seconds (30)'
    complete -c $cmd -l confirm-timeout -x -d 'Give up once nothing was acknowledged for S seconds (30)'
    complete -c $cmd -l keepalive -x -d 'Check a quiet server after S seconds (60)'
    complete -c $cmd -s v -l verbose -d 'Print the XML stream on stderr (secrets redacted)'
    complete -c $cmd -s q -l quiet -d $quiet
    complete -c $cmd -s h -l help -d 'Print the help and exit'
    complete -c $cmd -s V -l version -d 'Print the version and exit'
end
