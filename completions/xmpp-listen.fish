# fish completion for xmpp-listen(1). Install as xmpp-listen.fish in a directory
# of $fish_complete_path (for instance /usr/local/share/fish/vendor_completions.d),
# and the functions of fish-functions/ (__xmpp_tools_*.fish) in a directory of
# $fish_function_path (for instance /usr/local/share/fish/vendor_functions.d).

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
complete -c xmpp-listen -l priority -x -d 'Presence priority, -128 to 127 (default -1: take no stored messages)'
complete -c xmpp-listen -l offline -d 'Take the messages kept offline (deleting them there) and those to the bare JID'
complete -c xmpp-listen -l no-carbons -d "Do not ask for copies of other clients' messages"
complete -c xmpp-listen -l reconnect -d 'After a lost connection, reconnect and catch up from the archive'

# account, connection and output: the options all the xmpp-tools share
functions -q __xmpp_tools_common; and __xmpp_tools_common xmpp-listen
