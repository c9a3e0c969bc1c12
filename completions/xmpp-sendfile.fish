# fish completion for xmpp-sendfile(1). Install as xmpp-sendfile.fish in a
# directory of $fish_complete_path (for instance /usr/local/share/fish/vendor_completions.d),
# and the functions of fish-functions/ (__xmpp_tools_*.fish) in a directory of
# $fish_function_path (for instance /usr/local/share/fish/vendor_functions.d).

# operands are the files to upload, then recipient JIDs: fish offers file
# names for them by default, so no "complete -f" here

complete -c xmpp-sendfile -l name -x -d "File name to announce (default: the base name; stdin for -)"
complete -c xmpp-sendfile -s t -l type -x -d 'Type of the link messages (default: chat)' \
    -a '(printf "%s\t%s\n" chat "one-to-one chat" normal "normal message" headline "headline, not stored" groupchat "room message")'
complete -c xmpp-sendfile -l content-type -x -d "The file's Content-Type (default: guessed from the name)" \
    -a 'application/octet-stream application/pdf application/json application/xml application/zip application/gzip application/x-tar application/x-xz text/plain text/markdown text/csv text/html image/png image/jpeg image/gif image/webp image/svg+xml video/mp4 video/webm audio/mpeg audio/ogg audio/mp4 audio/wav'
complete -c xmpp-sendfile -l aesgcm -d 'AES-256-GCM encrypt; send an aesgcm:// link (XEP-0454)'
complete -c xmpp-sendfile -l encrypt -x -a omemo -d 'Send the links end to end encrypted (OMEMO; implies --aesgcm)'
complete -c xmpp-sendfile -l no-send -d 'Only upload and print the links'
complete -c xmpp-sendfile -l json -d 'Print {file, url, size, sha256, content_type} per file'
complete -c xmpp-sendfile -l muc -x -d 'Send the links to the room ROOM (repeatable)'
complete -c xmpp-sendfile -l nick -x -d "Nickname in rooms (default: the account's localpart)"
complete -c xmpp-sendfile -l muc-password-file -r -F -d 'Read the room password from FILE'
complete -c xmpp-sendfile -l retry -x -d 'Retry a failed upload N times (0)'
complete -c xmpp-sendfile -l resolve -x -d 'Reach the upload HOST:PORT at ADDR (as curl)'
complete -c xmpp-sendfile -l timeout -x -d 'The whole run\'s deadline: stop after S seconds in all'

# account, connection and output: the options all the xmpp-tools share
functions -q __xmpp_tools_common; and __xmpp_tools_common xmpp-sendfile 'Print nothing but errors, no progress bar'
