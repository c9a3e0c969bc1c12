# fish completion for xmpp-presence(1). Install as xmpp-presence.fish in a
# directory of $fish_complete_path (for instance
# /usr/local/share/fish/vendor_completions.d),
# and the functions of fish-functions/ (__xmpp_tools_*.fish) in a directory of
# $fish_function_path (for instance /usr/local/share/fish/vendor_functions.d).

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
complete -c xmpp-presence -l priority -x -d 'Priority, -128 to 127 (default -1: take no messages)'
complete -c xmpp-presence -l for -x -d 'Keep the presence S seconds, then leave'
complete -c xmpp-presence -l once -d 'Send the presence and leave at once'
complete -c xmpp-presence -l wait -x -d 'Get, probe: also wait S seconds for late answers'
complete -c xmpp-presence -s n -l count -x -d 'Watch: stop after N presences'
complete -c xmpp-presence -l timeout -x -d 'Watch: stop after S seconds (75 if --count was not reached)'
complete -c xmpp-presence -l json -d 'JSON lines (default when not a terminal)'
complete -c xmpp-presence -l text -d 'Lines for people (default on a terminal)'

# account, connection and output: the options all the xmpp-tools share
functions -q __xmpp_tools_common; and __xmpp_tools_common xmpp-presence
