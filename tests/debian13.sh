#!/usr/bin/env bash
# tests/debian13.sh [BATS_FILE|MAKE_TARGET...] - build and test xmpp-tools on Debian 13
# "trixie" (libstrophe 0.14, Prosody 13, OpenSSL 3.5, curl 8, expat 2.9)
# from a Debian 12 machine, in a chroot. Needs root.
#
# The chroot (a minbase debootstrap from $DEBIAN13_MIRROR, default
# http://deb.debian.org/debian, with trixie-updates and trixie-security)
# lives at $DEBIAN13_ROOT, default /var/tmp/xmpp-tools-trixie, outside the
# tree, and is kept for the next run: debootstrap writes into ROOT.partial,
# which becomes ROOT only once complete, so an interrupted run never leaves
# a half chroot to reuse. Each run brings it up to date (apt-get upgrade),
# binds /proc /sys /dev /dev/pts /dev/shm and this tree (at /src) into it,
# installs what tests/deps.sh lists, builds into build-debian13/ (not
# build/, which is the host's) and runs `make check` there, or only the
# given bats files. Everything it mounted is unmounted on exit, also on
# failure or interruption. A lock (ROOT.lock) keeps two runs apart.
#
# As on a fresh machine: no services start (policy-rc.d), the environment
# is emptied (env -i), and there is no UTF-8 locale.
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)
root=${DEBIAN13_ROOT:-/var/tmp/xmpp-tools-trixie}
mirror=${DEBIAN13_MIRROR:-http://deb.debian.org/debian}
out=build-debian13
mounted=()
child=

die() { echo "debian13.sh: $*" >&2; exit 1; }

# Seconds since the start, for the phase times CI's budget is planned by.
phase() { echo "debian13.sh: [$((SECONDS / 60))m$((SECONDS % 60))s] $*" >&2; }

# The security archive is a separate mirror: derived from $mirror when it
# ends in /debian (deb.debian.org and its kind), else the official one.
security_mirror() {
	case $mirror in
	*/debian) echo "$mirror-security" ;;
	*) echo http://deb.debian.org/debian-security ;;
	esac
}

# A chroot is complete once it has been renamed from ROOT.partial; it must
# also be trixie (13.x), not something else left at that path.
chroot_ok() {
	grep -q '^13\.' "$root/etc/debian_version" 2>/dev/null
}

bootstrap() {
	local part=$root.partial
	phase "debootstrap trixie from $mirror into $part"
	rm -rf --one-file-system "$part"
	debootstrap --variant=minbase trixie "$part" "$mirror" >"$root.debootstrap.log" 2>&1 ||
		die "debootstrap failed: see $root.debootstrap.log (network, or $mirror)"
	cat >"$part/etc/apt/sources.list" <<-EOF
	deb $mirror trixie main
	deb $mirror trixie-updates main
	deb $(security_mirror) trixie-security main
	EOF
	mv "$part" "$root"
}

# No package's maintainer script may start its service (prosody, unbound).
# /tmp starts empty, as after a boot: an interrupted run leaves its
# servers' directories there.
prepare() {
	find "$root/tmp" -mindepth 1 -maxdepth 1 -exec rm -rf --one-file-system {} +
	printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
	chmod 755 "$root/usr/sbin/policy-rc.d"
	cp -L /etc/resolv.conf "$root/etc/resolv.conf"
	mkdir -p "$root/src"
}

# mount ARGS... TARGET, remembered for unmount_all.
mnt() {
	mount "$@"
	mounted+=("${!#}")
}

mount_all() {
	# the root a mount point of its own, private: inside, unshare -m
	# --propagation private (the system-trust tests) needs / to be one
	mnt --bind "$root" "$root"
	mount --make-private "$root"
	mnt -t proc proc "$root/proc"
	mnt --bind /sys "$root/sys"
	mnt --bind /dev "$root/dev"
	mnt --bind /dev/pts "$root/dev/pts"
	if mountpoint -q /dev/shm; then mnt --bind /dev/shm "$root/dev/shm"; fi
	mnt --bind "$src" "$root/src"
}

# In reverse order; lazily if something inside still holds a mount.
unmount_all() {
	local i m
	for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
		m=${mounted[i]}
		umount "$m" 2>/dev/null || umount -l "$m" ||
			echo "debian13.sh: could not unmount $m" >&2
	done
	mounted=()
}

# Interrupted: the job inside is told to stop, and given 30 s (run.sh
# then stops its Prosody) before what is left of its process group is
# killed. The bash at its head dies at once: wait for the whole group.
stop_inside() {
	[ -n "$child" ] || return 0
	kill -TERM -- "-$child" 2>/dev/null || return 0
	for _ in $(seq 150); do kill -0 -- "-$child" 2>/dev/null || break; sleep 0.2; done
	kill -KILL -- "-$child" 2>/dev/null || true
}

# Processes still running in the chroot, which keep its mounts busy: ones
# this run started (the lock keeps other runs out), such as a server that
# setsid took out of the process group and a killed run.sh did not stop.
stragglers() {
	local p
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && echo "${p#/proc/}"
	done
	return 0
}

kill_stragglers() {
	local pids
	pids=$(stragglers)
	[ -n "$pids" ] || return 0
	echo "debian13.sh: stopping what is left in the chroot:" $pids >&2
	kill $pids 2>/dev/null || true
	sleep 2
	pids=$(stragglers)
	[ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
}

finish() {
	kill_stragglers
	unmount_all
}

# Mounts a killed run (SIGKILL, no trap) left under ROOT; we hold the lock,
# so no other run is using them.
unmount_stale() {
	local m
	findmnt -rn -o TARGET | { grep -E "^$root(/|$)" || true; } | sort -r | while read -r m; do
		echo "debian13.sh: unmounting stale $m" >&2
		umount -l "$m"
	done
}

# The job inside: as a new user would, deps then make check, then the
# Debian package built, installed, tried and purged (make deb deb-test).
# Arguments ending in .bats are test files run instead of make check; the
# others make targets. make -j2 for
# the build only: `make check` lists deps and all as prerequisites, which
# must not run side by side.
inside() {
	local tests="" targets="" t
	for t in "$@"; do
		case $t in
		*.bats) tests="$tests $(printf '%q' "$t")" ;;
		*) targets="$targets $(printf '%q' "$t")" ;;
		esac
	done
	[ $# -gt 0 ] || targets="check deb deb-test"
	cat <<-EOF
	set -e
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq >/dev/null
	apt-get upgrade -y -qq >/dev/null
	cd /src
	sh tests/deps.sh install
	echo "debian13.sh: [in chroot, \${SECONDS}s] deps installed" >&2
	echo "debian13.sh: Debian \$(cat /etc/debian_version), libstrophe \$(pkg-config --modversion libstrophe), Prosody \$(dpkg-query -W -f='\${Version}' prosody), \$(openssl version | cut -d' ' -f1-2), expat \$(pkg-config --modversion expat), curl \$(pkg-config --modversion libcurl)" >&2
	make -j2 O=$out all
	echo "debian13.sh: [in chroot, \${SECONDS}s] built" >&2
	if [ -n "$tests" ]; then tests/run.sh $out $tests; fi
	for t in $targets; do make O=$out \$t; done
	EOF
}

[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot, mount)"
case $root in /*) ;; *) die "DEBIAN13_ROOT must be an absolute path" ;; esac
root=$(realpath -m "$root")
[ "$root" != / ] || die "DEBIAN13_ROOT must not be /"
sh tests/deps.sh install debian13
mkdir -p "$(dirname "$root")"
exec 9>"$root.lock"
flock -n 9 || { phase "waiting for another run on $root"; flock 9; }
trap finish EXIT
trap 'stop_inside; exit 130' INT TERM
kill_stragglers
unmount_stale
if chroot_ok; then phase "reusing $root"; else
	[ ! -e "$root" ] || die "$root exists but is no Debian 13 chroot (remove it)"
	bootstrap
fi
prepare
mount_all
phase "in the chroot: upgrade, deps, build, make check"
status=0
# in the background and a process group of its own, for stop_inside
setsid chroot "$root" env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin TERM=dumb \
	bash -lc "$(inside "$@")" &
child=$!
wait "$child" || status=$?
child=
phase "done, exit $status"
exit $status
