# fish function of the xmpp-tools completions: prints the account names, the
# [NAME] section headers of the config file given with -c/--config on the
# command line, else of ${XDG_CONFIG_HOME:-$HOME/.config}/xmpp-tools/config.
# Install as __xmpp_tools_accounts.fish in a directory of $fish_function_path
# (for instance /usr/local/share/fish/vendor_functions.d).
function __xmpp_tools_accounts
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
