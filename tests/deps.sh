#!/bin/sh
# tests/deps.sh install|check [debian13] - the Debian packages xmpp-tools
# needs to build, test (ejabberd: the second test server; iproute2: ss, to find free ports; zsh and fish, to
# check their completions), fuzz (clang and its libFuzzer runtime) and
# demo. With "debian13", instead, what tests/debian13.sh needs on the host
# (debootstrap: the rest it installs in its Debian 13 chroot, with this
# script run there without it). With "deb", what building and checking
# the Debian package needs. As root, installs what is missing;
# otherwise prints the apt-get line to run and fails.
PKGS="build-essential pkg-config libstrophe-dev libjansson-dev libexpat1-dev
libssl-dev libcurl4-openssl-dev prosody ejabberd bats jq openssl socat valgrind curl time
python3 python3-cryptography mandoc libunbound-dev unbound ldnsutils iproute2
zsh fish clang libclang-rt-dev libomemo-c-dev python3-omemo python3-oldmemo
python3-slixmpp python3-xmlschema xxd"
[ "$2" = debian13 ] && PKGS="debootstrap"
# with "deb": what make deb and make deb-test need (tests/deb.sh)
[ "$2" = deb ] && PKGS="dpkg-dev debhelper lintian fakeroot man-db"

missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0
[ "$1" = check ] && { echo "missing:$missing"; exit 1; }
if [ "$(id -u)" != 0 ]; then
	echo "xmpp-tools needs these Debian packages:$missing" >&2
	echo "run: sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "installing:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null && apt-get install -y -qq $missing >/dev/null || {
	echo "apt-get install failed; run: apt-get install -y$missing" >&2
	exit 1
}
exit 0
