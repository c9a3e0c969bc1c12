# fish completion for xmpp-roster(1). Install as xmpp-roster.fish in a
# directory of $fish_complete_path (for instance
# /usr/local/share/fish/vendor_completions.d),
# and the functions of fish-functions/ (__xmpp_tools_*.fish) in a directory of
# $fish_function_path (for instance /usr/local/share/fish/vendor_functions.d).

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

# account, connection and output: the options all the xmpp-tools share
functions -q __xmpp_tools_common; and __xmpp_tools_common xmpp-roster
