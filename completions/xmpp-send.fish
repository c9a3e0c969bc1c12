# fish completion for xmpp-send(1). Install as xmpp-send.fish in a directory
# of $fish_complete_path (for instance /usr/local/share/fish/vendor_completions.d),
# and the functions of fish-functions/ (__xmpp_tools_*.fish) in a directory of
# $fish_function_path (for instance /usr/local/share/fish/vendor_functions.d).

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
complete -c xmpp-send -l encrypt -x -a omemo -d 'Encrypt end to end (OMEMO); never sends in plaintext'
complete -c xmpp-send -l timeout -x -d 'The whole run\'s deadline: stop after S seconds in all'
complete -c xmpp-send -l retry-for -x -d 'After a lost connection, reconnect and resend for up to S seconds (0)'
complete -c xmpp-send -l bounce-wait -x -d 'Wait MS milliseconds for late bounces from other domains (1000)'

# account, connection and output: the options all the xmpp-tools share
functions -q __xmpp_tools_common; and __xmpp_tools_common xmpp-send
