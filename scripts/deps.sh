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
# One entry per need; "a|b" = the first name this distribution's apt knows
# (Debian 12 calls the fuzzer runtime libclang-rt-14-dev, Debian 13 has
# libclang-rt-dev; QEMU's RISC-V system emulator moved from qemu-system-misc
# to qemu-system-riscv in QEMU 9 packages).
NEEDS="make gcc-riscv64-unknown-elf binutils-riscv64-unknown-elf qemu-system-riscv|qemu-system-misc \
opensbi gdb-multiarch device-tree-compiler python3 python3-pytest python3-pexpect \
clang libclang-rt-dev|libclang-rt-14-dev u-boot-qemu xz-utils gpgv debian-archive-keyring|ubuntu-keyring \
clang-format cppcheck pyflakes3"

SUDO=
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi

. /etc/os-release
CODENAME=${VERSION_CODENAME:-}
if [ "$CODENAME" = bookworm ]; then
	# bookworm's own qemu-system-misc is 7.2: QEMU 10 must come from backports.
	NEEDS=$(echo "$NEEDS" | sed 's/qemu-system-riscv|qemu-system-misc/qemu-system-riscv/')
fi

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

installed() {
	dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "ok installed"
}

# The first alternative that is installed, else the first apt knows about.
resolve() {
	alts=$(echo "$1" | tr '|' ' ')
	for p in $alts; do
		if installed "$p"; then echo "=$p"; return; fi
	done
	for p in $alts; do
		if apt-cache show "$p" >/dev/null 2>&1; then echo "$p"; return; fi
	done
	echo "deps: no package for '$1' in this distribution's apt sources" >&2
}

missing_now() {
	m=
	for need in $NEEDS; do
		p=$(resolve "$need")
		case "$p" in =*|"") ;; *) m="$m $p" ;; esac
	done
	echo "$m"
}

missing=$(missing_now)
if [ -n "$missing" ]; then
	if [ "$CODENAME" = bookworm ]; then
		add_backports
	fi
	$SUDO apt-get update -q
	missing=$(missing_now)
	echo "deps: installing$missing"
	if [ "$CODENAME" = bookworm ]; then
		DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q -t bookworm-backports $missing
	else
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
