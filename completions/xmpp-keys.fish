# fish completion for xmpp-keys(1). Install as xmpp-keys.fish in a
# directory of $fish_complete_path (for instance
# /usr/local/share/fish/vendor_completions.d),
# and the functions of fish-functions/ (__xmpp_tools_*.fish) in a directory of
# $fish_function_path (for instance /usr/local/share/fish/vendor_functions.d).

# The subcommands; complete one until one is on the command line.
set -l __xmpp_keys_subcommands init list

# after list, contacts' JIDs: no file names
complete -c xmpp-keys -f

complete -c xmpp-keys -n "not __fish_seen_subcommand_from $__xmpp_keys_subcommands" -a init -d "Make the account's OMEMO device (once) and publish it"
complete -c xmpp-keys -n "not __fish_seen_subcommand_from $__xmpp_keys_subcommands" -a list -d 'Print the devices and fingerprints of the account, or of JIDs'

complete -c xmpp-keys -l json -d 'List: one JSON object a device (default when not a terminal)'
complete -c xmpp-keys -l text -d 'List: one line a device (default on a terminal)'
complete -c xmpp-keys -l timeout -x -d 'End the whole run after S seconds'

# account, connection and output: the options all the xmpp-tools share
functions -q __xmpp_tools_common; and __xmpp_tools_common xmpp-keys
