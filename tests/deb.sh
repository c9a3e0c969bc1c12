#!/usr/bin/env bash
# tests/deb.sh build|test OUT - the Debian package (debian/).
#
# build: copies the tracked files into OUT/xmpp-tools-VERSION (the tree
#   itself stays clean: no debian/xmpp-tools, no .deb beside the project;
#   without git, everything but build*/ and .git),
#   runs dpkg-buildpackage -us -uc -b there and lintian on the result; a
#   lintian error or warning fails (overrides, each with its reason, go in
#   debian/xmpp-tools.lintian-overrides or debian/source/lintian-overrides).
# test: as root, on a machine where xmpp-tools is not installed: installs
#   OUT's package with apt-get (which brings its dependencies), checks the
#   files are in Debian's places, runs the autopkgtest (debian/tests/smoke:
#   a message through a throwaway Prosody with the installed tools), then
#   purges the package and checks it left nothing behind.
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:?usage: deb.sh build|test OUT}
out=${2:?usage: deb.sh build|test OUT}
pkg=xmpp-tools
version=$(dpkg-parsechangelog -S Version 2>/dev/null || sed -n '1s/.*(\(.*\)).*/\1/p' debian/changelog)

die() { echo "deb.sh: $*" >&2; exit 1; }

# The tracked files in a git checkout; elsewhere (a release tarball, a
# chroot without git) everything but build output and .git.
copy_tree() {
	if command -v git >/dev/null && git rev-parse --git-dir >/dev/null 2>&1; then
		git ls-files -z | xargs -0 cp --parents -t "$1"
	else
		tar -c --exclude='./build*' --exclude=./.git . | tar -x -C "$1"
	fi
}

build() {
	sh tests/deps.sh install deb
	local src=$out/$pkg-$version
	rm -rf "$out" && mkdir -p "$src"
	copy_tree "$src"
	(cd "$src" && dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1 ||
		{ tail -30 "$out/build.log" >&2; die "dpkg-buildpackage failed: see $out/build.log"; }
	ls "$out"/*.deb
	echo "== lintian"
	lintian --fail-on error,warning --display-info "$out"/*.changes ||
		die "lintian found errors or warnings (above)"
	echo "deb.sh: lintian clean"
}

# The files a user looks for after apt install.
check_installed() {
	local f
	for f in /usr/bin/xmpp-send /usr/bin/xmpp-s2s-probe /usr/bin/xmpp-keys \
		/usr/share/man/man1/xmpp-send.1.gz /usr/share/man/man7/xmpp-tools.7.gz \
		/usr/share/bash-completion/completions/xmpp-send \
		/usr/share/zsh/vendor-completions/_xmpp-send \
		/usr/share/fish/vendor_completions.d/xmpp-send.fish \
		/usr/share/doc/$pkg/copyright; do
		[ -e "$f" ] || die "installed package lacks $f"
	done
}

test_package() {
	[ "$(id -u)" = 0 ] || die "test needs root (apt-get install, dpkg --purge)"
	! dpkg-query -W -f='${Status}' $pkg 2>/dev/null | grep -q 'ok installed' ||
		die "$pkg is installed on this machine; the test installs and purges it: remove it first (apt-get purge $pkg)"
	local deb files
	deb=$(ls "$out"/${pkg}_"$version"_*.deb) || die "no package in $out: run make deb first"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$(realpath "$deb")" >/dev/null
	files=$(dpkg -L $pkg | while read -r f; do [ -d "$f" ] || echo "$f"; done)
	check_installed
	echo "== debian/tests/smoke"
	debian/tests/smoke
	dpkg --purge $pkg >/dev/null
	! dpkg-query -W -f='${Status}' $pkg 2>/dev/null | grep -q 'ok installed' ||
		die "$pkg still installed after dpkg --purge"
	for f in $files; do [ ! -e "$f" ] || die "purge left $f"; done
	echo "deb.sh: installed, smoke test passed, purged cleanly ($(echo "$files" | wc -l) files)"
}

case $what in
build) build ;;
test) test_package ;;
*) die "usage: deb.sh build|test OUT" ;;
esac
