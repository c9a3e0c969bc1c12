# fish completion for xmpp-check(1). Install as xmpp-check.fish in a
# directory of $fish_complete_path (for instance
# /usr/local/share/fish/vendor_completions.d),
# and the functions of fish-functions/ (__xmpp_tools_*.fish) in a directory of
# $fish_function_path (for instance /usr/local/share/fish/vendor_functions.d).

# no operands: no file names
complete -c xmpp-check -f

complete -c xmpp-check -l json -d 'One JSON object per check: check, status, detail, fix'
complete -c xmpp-check -l timeout -x -d 'End the whole run after S seconds'

# account, connection and output: the options all the xmpp-tools share
functions -q __xmpp_tools_common; and __xmpp_tools_common xmpp-check
