#!/bin/sh
# Install what hvscope needs from Debian packages (Debian 12/13, Ubuntu 24.04).
#
# On Debian 12 (bookworm) QEMU >= 9 and OpenSBI 1.5 only exist in
# bookworm-backports: we add that suite using the mirror URI the machine is
# already configured with (never a host written here).  Debian 12's QEMU 7.2
# is unpacked (not installed) under $CACHE/qemu-old for the version matrix.
#
# Usage: scripts/deps.sh [CACHE_DIR]     (default: build/cache)
set -eu

CACHE=${1:-build/cache}
PKGS="make gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf qemu-system-riscv \
opensbi gdb-multiarch device-tree-compiler python3 python3-pytest python3-pexpect \
clang libclang-rt-14-dev u-boot-qemu xz-utils"

SUDO=
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi

. /etc/os-release
CODENAME=${VERSION_CODENAME:-}

# Print the first http(s) mirror URI configured for Debian's main archive.
debian_mirror() {
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }' "$f"
	done | head -n1
	if [ -f /etc/apt/sources.list ]; then
		awk '$1 == "deb" && $2 !~ /security/ && $2 ~ /^http/ { print $2; exit }' /etc/apt/sources.list
	fi
}

add_backports() {
	list=/etc/apt/sources.list.d/hvscope-backports.sources
	if grep -rqs "bookworm-backports" /etc/apt/sources.list /etc/apt/sources.list.d/; then
		return
	fi
	mirror=$(debian_mirror | head -n1)
	if [ -z "$mirror" ]; then
		echo "deps: no Debian mirror found in /etc/apt/sources.list*; add bookworm-backports by hand" >&2
		exit 1
	fi
	echo "deps: adding bookworm-backports from $mirror"
	printf 'Types: deb\nURIs: %s\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
		"$mirror" | $SUDO tee "$list" >/dev/null
}

missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done

if [ -n "$missing" ]; then
	echo "deps: installing$missing"
	if [ "$CODENAME" = bookworm ]; then
		add_backports
		$SUDO apt-get update -q
		DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q -t bookworm-backports $missing
	else
		$SUDO apt-get update -q
		DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q $missing
	fi
fi

# QEMU 7.2, the "old QEMU" of the version story: only Debian 12 has it.  apt
# cannot install it next to QEMU 10, so unpack the .deb into the cache.
if [ "$CODENAME" = bookworm ] && [ ! -x "$CACHE/qemu-old/usr/bin/qemu-system-riscv64" ]; then
	mkdir -p "$CACHE/qemu-old"
	ver=$(apt-cache madison qemu-system-misc | awk -F'|' '$2 ~ /7\.2/ { gsub(/ /, "", $2); print $2; exit }')
	if [ -n "$ver" ]; then
		( cd "$CACHE" && apt-get download -q "qemu-system-misc=$ver" >/dev/null )
		dpkg-deb -x "$CACHE"/qemu-system-misc_*.deb "$CACHE/qemu-old"
		rm -f "$CACHE"/qemu-system-misc_*.deb
		echo "deps: QEMU $ver unpacked in $CACHE/qemu-old"
	else
		echo "deps: QEMU 7.2 package not found; version matrix not available"
	fi
fi
echo "deps: ok"
