# fish completion for xmpp-s2s-probe(1). Install as xmpp-s2s-probe.fish in a
# directory of $fish_complete_path (for instance /usr/local/share/fish/vendor_completions.d).
#
# xmpp-s2s-probe takes no account: none of the account and connection
# options of the other tools (and no -j: that is their --jid; --jobs here),
# so it does not call __xmpp_tools_common; its -v, -q, -h and -V are listed here.

# the operands are domains: no file names
complete -c xmpp-s2s-probe -f

complete -c xmpp-s2s-probe -l json -d 'One JSON object per domain, one per line'
complete -c xmpp-s2s-probe -l text -d 'A report for people (the default)'
complete -c xmpp-s2s-probe -l c2s -d 'Also check the client SRV records'
complete -c xmpp-s2s-probe -l from -x -d 'Open streams from DOMAIN (default: no from)'
complete -c xmpp-s2s-probe -l cert -r -F -d 'With --from and --key: authenticate with SASL EXTERNAL'
complete -c xmpp-s2s-probe -l key -r -F -d 'The private key of --cert'
complete -c xmpp-s2s-probe -l cafile -r -F -d 'Trust only the CA certificates in FILE'
complete -c xmpp-s2s-probe -l capath -x -a '(__fish_complete_directories (commandline -ct))' -d 'Trust only the hashed CA certificates in DIR'
complete -c xmpp-s2s-probe -l dns-server -x -d "Ask this resolver (IP address[:PORT]), not the system's"
complete -c xmpp-s2s-probe -l trust-anchor -r -F -a 'none' -d 'DNSSEC trust anchors (default /usr/share/dns/root.key; none: off)'
complete -c xmpp-s2s-probe -l connect -x -a '(__fish_print_hostnames)' -d 'Probe HOST[:PORT] instead of the DNS targets'
complete -c xmpp-s2s-probe -l direct-tls -d 'With --connect: TLS from the first byte (XEP-0368)'
complete -c xmpp-s2s-probe -s 4 -l ipv4 -d 'IPv4 only'
complete -c xmpp-s2s-probe -s 6 -l ipv6 -d 'IPv6 only'
complete -c xmpp-s2s-probe -l jobs -x -d 'Probe N domains at once (default 4)'
complete -c xmpp-s2s-probe -l connect-timeout -x -d 'Give up on any network step after S seconds (10)'
complete -c xmpp-s2s-probe -l timeout -x -d 'The whole run\'s deadline: stop after S seconds in all'
complete -c xmpp-s2s-probe -l warn-days -x -d 'Warn when a certificate expires within N days (14)'
complete -c xmpp-s2s-probe -l no-tls-versions -d 'Skip the check of which TLS versions are accepted'
complete -c xmpp-s2s-probe -l strict -d 'Count warnings as problems (exit 1)'
complete -c xmpp-s2s-probe -s v -l verbose -d 'Print the XML stream on stderr'
complete -c xmpp-s2s-probe -s q -l quiet -d 'Print nothing but errors'
complete -c xmpp-s2s-probe -s h -l help -d 'Print the help and exit'
complete -c xmpp-s2s-probe -s V -l version -d 'Print the version and exit'
