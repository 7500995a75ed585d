#!/usr/bin/env python3
"""Fetch the third-party guests hvscope boots, into a cache directory.

    fetch-guests.py --cache build/cache/guests [--suite trixie] [--mirror URI]

What ends up in the cache (nothing is fetched again when it is already there):

    linux/Image          raw RISC-V Linux Image (/boot/vmlinux-* of Debian's
                         linux-image-*-riscv64 package)
    linux/VERSION        package name and version it came from
    busybox/busybox      static riscv64 busybox (Debian's busybox-static)
    busybox/VERSION
    uboot/u-boot.bin     U-Boot for QEMU virt in S-mode, copied from the
                         installed u-boot-qemu package (qemu-riscv64_smode)
    debs/                the downloaded .deb files

Where Linux and busybox come from: the Debian archive URI already configured
in this machine's apt sources (deb822 /etc/apt/sources.list.d/*.sources or
one-line sources.list; --mirror overrides it).  The suite's InRelease is
checked with gpgv against Debian's archive keyring when both are present, the
riscv64 Packages index against the SHA256 InRelease gives for it, and each
.deb against the SHA256 the index gives for it.  The package version is the
one the index lists today: nothing pins a file name.  The machine's apt
configuration and architectures are never touched.

Every failure is one line `fetch-guests: ...` on stderr and exit status 1.
"""
import argparse
import glob
import gzip
import hashlib
import io
import lzma
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.error
import urllib.request

ARCH = "riscv64"
KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"
SOURCES_DIR = "/etc/apt/sources.list.d"
SOURCES_LIST = "/etc/apt/sources.list"
UBOOT_PACKAGE = "u-boot-qemu"
UBOOT_FLAVOUR = "qemu-riscv64_smode"


class FetchError(Exception):
    pass


def say(msg):
    print(f"fetch-guests: {msg}", flush=True)


# ---------------------------------------------------------------- apt sources

def _deb822_stanzas(text):
    """Stanzas of a deb822 file as dicts (keys lower-case); comments dropped."""
    stanzas, cur, last = [], {}, None
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        if not line.strip():
            if cur:
                stanzas.append(cur)
            cur, last = {}, None
            continue
        if line[0] in " \t" and last:
            cur[last] += " " + line.strip()
            continue
        if ":" in line:
            key, value = line.split(":", 1)
            last = key.strip().lower()
            cur[last] = value.strip()
    if cur:
        stanzas.append(cur)
    return stanzas


def configured_mirrors():
    """Debian archive URIs from the machine's apt sources, in file order.
    Security and backports-only entries still name the archive root, so every
    `deb` URI is a candidate; the ones carrying the plain suites come first."""
    primary, others = [], []

    def add(uri, suites):
        uri = uri.rstrip("/")
        if not uri.startswith(("http://", "https://")):
            return
        plain = any(not re.search(r"-(security|updates|backports)$|/updates$", s) for s in suites)
        (primary if plain else others).append(uri)

    for path in sorted(glob.glob(os.path.join(SOURCES_DIR, "*.sources"))):
        try:
            text = open(path, encoding="utf-8", errors="replace").read()
        except OSError:
            continue
        for st in _deb822_stanzas(text):
            if st.get("enabled", "yes").lower() == "no" or "deb" not in st.get("types", "").split():
                continue
            for uri in st.get("uris", "").split():
                add(uri, st.get("suites", "").split())
    lists = [SOURCES_LIST] + sorted(glob.glob(os.path.join(SOURCES_DIR, "*.list")))
    for path in lists:
        try:
            lines = open(path, encoding="utf-8", errors="replace").read().splitlines()
        except OSError:
            continue
        for line in lines:
            line = line.split("#", 1)[0].strip()
            m = re.match(r"deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)", line)
            if m:
                add(m.group(1), [m.group(2)])
    seen, out = set(), []
    for uri in primary + others:
        if uri not in seen:
            seen.add(uri)
            out.append(uri)
    return out


# ---------------------------------------------------------------- downloads

def http_get(url, dest=None, timeout=60):
    """Body of url (bytes), or streamed into dest (a path) when given."""
    req = urllib.request.Request(url, headers={"User-Agent": "hvscope-fetch-guests"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            if dest is None:
                return resp.read()
            tmp = dest + ".part"
            with open(tmp, "wb") as f:
                shutil.copyfileobj(resp, f, 1 << 20)
            os.replace(tmp, dest)
            return None
    except (urllib.error.URLError, OSError) as e:
        raise FetchError(f"cannot download {url}: {e}") from None


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def verified_release(raw, url, keyring):
    """The signed text of an InRelease file.  With gpgv and the keyring
    present the signature must verify; without them the check is reported as
    skipped (the Packages and .deb hashes are still checked)."""
    gpgv = shutil.which("gpgv")
    if gpgv and os.path.isfile(keyring):
        with tempfile.TemporaryDirectory(prefix="hvfetch-") as tmp:
            src = os.path.join(tmp, "InRelease")
            out = os.path.join(tmp, "InRelease.txt")
            with open(src, "wb") as f:
                f.write(raw)
            r = subprocess.run([gpgv, "--keyring", keyring, "--output", out, src],
                               capture_output=True, text=True)
            if r.returncode != 0:
                raise FetchError(f"{url}: signature does not verify against {keyring}: "
                                 + " ".join(r.stderr.split())[:300])
            say(f"InRelease signature OK ({keyring})")
            return open(out, encoding="utf-8", errors="replace").read()
    say(f"WARNING: gpgv or {keyring} missing: InRelease signature NOT checked")
    text = raw.decode("utf-8", errors="replace")
    m = re.search(r"-----BEGIN PGP SIGNED MESSAGE-----\n(?:Hash:[^\n]*\n)*\n(.*?)\n-----BEGIN PGP SIGNATURE",
                  text, re.S)
    return m.group(1) if m else text


def release_sha256(release_text):
    """{path: (sha256, size)} from the SHA256 field of a Release file."""
    out, in_sha = {}, False
    for line in release_text.splitlines():
        if not line.startswith(" "):
            in_sha = line.startswith("SHA256:")
            continue
        if in_sha:
            parts = line.split()
            if len(parts) == 3:
                out[parts[2]] = (parts[0], int(parts[1]))
    return out


_RELEASES = {}     # InRelease URL -> its signed fields


def _index_from(mirror, dist, keyring, codename):
    """(packages, release fields) from dists/DIST, everything verified; the
    signed Codename must be `codename` when given."""
    url = f"{mirror}/dists/{dist}/InRelease"
    say(f"index: {url}")
    release = verified_release(http_get(url), url, keyring)
    fields = dict(re.findall(r"^(Codename|Suite|Version|Architectures|Acquire-By-Hash): *(.*)$",
                             release, re.M))
    _RELEASES[url] = fields
    if codename and fields.get("Codename") != codename:
        raise FetchError(f"{url}: Codename {fields.get('Codename')!r}, expected {codename!r}")
    if ARCH not in fields.get("Architectures", "").split():
        raise FetchError(f"{url}: '{dist}' has no {ARCH} packages "
                         f"(Architectures: {fields.get('Architectures', '?')})")
    hashes = release_sha256(release)
    problems = []
    for name, decompress in (("Packages.xz", lzma.decompress), ("Packages.gz", gzip.decompress),
                             ("Packages", lambda b: b)):
        key = f"main/binary-{ARCH}/{name}"
        if key not in hashes:
            continue
        want, size = hashes[key]
        # by-hash (as apt does) cannot race with a mirror update; the plain
        # path is the fallback for mirrors without it.
        urls = [f"{mirror}/dists/{dist}/{key}"]
        if fields.get("Acquire-By-Hash", "").lower() == "yes":
            urls.insert(0, f"{mirror}/dists/{dist}/main/binary-{ARCH}/by-hash/SHA256/{want}")
        for u in urls:
            try:
                data = http_get(u, timeout=300)
            except FetchError as e:
                problems.append(str(e))
                continue
            got = hashlib.sha256(data).hexdigest()
            if got != want or len(data) != size:
                problems.append(f"{u}: SHA256 {got[:16]}... ({len(data)} bytes), InRelease says "
                                f"{want[:16]}... ({size})")
                continue
            say(f"{key}: SHA256 OK (Debian {fields.get('Version', '?')} {fields.get('Codename', dist)})")
            return parse_packages(decompress(data).decode("utf-8", errors="replace")), fields
    if not problems:
        problems.append(f"{url}: lists no main/binary-{ARCH}/Packages index")
    raise FetchError("; ".join(problems))


def fetch_index(mirror, suite, keyring):
    """Parsed main/binary-riscv64 Packages of suite: {package: fields}.
    A mirror in the middle of an update (or a caching proxy) can serve an
    index that does not match the InRelease of the same name; then the same
    suite under its other name (the signed Suite: field, e.g. "stable" for
    the current codename) is tried, checked to carry the same Codename."""
    try:
        pkgs, _ = _index_from(mirror, suite, keyring, None)
        return pkgs
    except FetchError as first:
        alias = _RELEASES.get(f"{mirror}/dists/{suite}/InRelease", {})
        other, codename = alias.get("Suite"), alias.get("Codename") or suite
        if not other or other == suite:
            raise
        say(f"the '{suite}' index does not match its InRelease here (mirror being updated?); "
            f"trying the same suite as '{other}'")
        try:
            pkgs, _ = _index_from(mirror, other, keyring, codename)
            return pkgs
        except FetchError as second:
            raise FetchError(f"{first}; {second}") from None


def parse_packages(text):
    pkgs = {}
    for block in text.split("\n\n"):
        fields, last = {}, None
        for line in block.splitlines():
            if line[:1] in (" ", "\t") and last:
                fields[last] += "\n" + line[1:]
            elif ":" in line:
                last, value = line.split(":", 1)
                fields[last] = value.strip()
        name = fields.get("Package")
        if name and (name not in pkgs or _newer(fields.get("Version", ""), pkgs[name].get("Version", ""))):
            pkgs[name] = fields
    return pkgs


def _newer(a, b):
    """a > b by dpkg's rules, asking dpkg when it exists (several versions of
    one package in an index are rare: only then does this matter)."""
    if not b:
        return True
    if shutil.which("dpkg"):
        return subprocess.run(["dpkg", "--compare-versions", a, "gt", b]).returncode == 0
    return a > b


def linux_package(pkgs):
    """The concrete linux-image-<abi>-riscv64 the meta package points at."""
    meta = pkgs.get(f"linux-image-{ARCH}")
    if meta:
        for dep in re.split(r"[,|]", meta.get("Depends", "")):
            name = dep.strip().split(" ", 1)[0]
            if re.fullmatch(rf"linux-image-[0-9].*-{ARCH}", name) and name in pkgs:
                return pkgs[name]
    # No meta package: the highest-versioned concrete image.
    best = None
    for name, fields in pkgs.items():
        if re.fullmatch(rf"linux-image-[0-9][^ ]*-{ARCH}", name) and "-dbg" not in name:
            if best is None or _newer(fields.get("Version", ""), best.get("Version", "")):
                best = fields
    if best is None:
        raise FetchError(f"the index has no linux-image-*-{ARCH} package")
    return best


def fetch_deb(mirror, fields, debdir):
    filename, want = fields.get("Filename"), fields.get("SHA256")
    if not filename or not want:
        raise FetchError(f"{fields.get('Package')}: index entry has no Filename/SHA256")
    dest = os.path.join(debdir, os.path.basename(filename))
    if os.path.isfile(dest) and sha256_file(dest) == want:
        say(f"{os.path.basename(dest)}: cached, SHA256 OK")
        return dest
    say(f"downloading {fields['Package']} {fields['Version']} ({int(fields.get('Size', 0)) >> 20} MiB)")
    http_get(f"{mirror}/{filename}", dest, timeout=600)
    got = sha256_file(dest)
    if got != want:
        os.unlink(dest)
        raise FetchError(f"{filename}: SHA256 {got} but the index says {want}")
    say(f"{os.path.basename(dest)}: SHA256 OK")
    return dest


# ---------------------------------------------------------------- .deb files

def deb_data_tar(path):
    """The data.tar member of a .deb (an ar archive), decompressed, as bytes."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"!<arch>\n":
        raise FetchError(f"{path}: not a .deb (ar) archive")
    off = 8
    while off + 60 <= len(data):
        name = data[off:off + 16].decode().strip().rstrip("/")
        size = int(data[off + 48:off + 58].decode().strip())
        body = data[off + 60:off + 60 + size]
        off += 60 + size + (size & 1)
        if not name.startswith("data.tar"):
            continue
        if name.endswith(".xz"):
            return lzma.decompress(body)
        if name.endswith(".gz"):
            return gzip.decompress(body)
        if name.endswith(".zst"):
            zstd = shutil.which("zstd")
            if not zstd:
                raise FetchError(f"{path}: data is zstd-compressed and `zstd` is not installed")
            return subprocess.run([zstd, "-dc"], input=body, capture_output=True, check=True).stdout
        if name == "data.tar":
            return body
        raise FetchError(f"{path}: unknown compression of {name}")
    raise FetchError(f"{path}: no data.tar member")


def extract_member(deb, pattern, dest):
    """Write the first regular file of deb whose path matches pattern to dest."""
    with tarfile.open(fileobj=io.BytesIO(deb_data_tar(deb))) as tar:
        for m in tar:
            if m.isfile() and re.search(pattern, m.name):
                os.makedirs(os.path.dirname(dest), exist_ok=True)
                with tar.extractfile(m) as src, open(dest + ".part", "wb") as out:
                    shutil.copyfileobj(src, out)
                os.replace(dest + ".part", dest)
                return m.name
    raise FetchError(f"{deb}: no file matching {pattern}")


# ---------------------------------------------------------------- the guests

def uboot(cache):
    dest = os.path.join(cache, "uboot", "u-boot.bin")
    if os.path.isfile(dest):
        return
    r = subprocess.run(["dpkg", "-L", UBOOT_PACKAGE], capture_output=True, text=True) \
        if shutil.which("dpkg") else None
    files = r.stdout.split() if r and r.returncode == 0 else []
    src = [f for f in files if f.endswith(f"/{UBOOT_FLAVOUR}/u-boot.bin")]
    if not src:
        raise FetchError(f"{UBOOT_PACKAGE} is not installed (no {UBOOT_FLAVOUR}/u-boot.bin in "
                         f"`dpkg -L {UBOOT_PACKAGE}`): run `make deps`")
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    shutil.copyfile(src[0], dest + ".part")
    os.replace(dest + ".part", dest)
    version = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", UBOOT_PACKAGE],
                             capture_output=True, text=True).stdout.strip()
    with open(os.path.join(cache, "uboot", "VERSION"), "w") as f:
        f.write(f"{UBOOT_PACKAGE} {version} {src[0]}\n")
    say(f"U-Boot: {UBOOT_PACKAGE} {version} -> {dest}")


def debian_guests(cache, suite, mirrors, keyring):
    image = os.path.join(cache, "linux", "Image")
    busybox = os.path.join(cache, "busybox", "busybox")
    if os.path.isfile(image) and os.path.isfile(busybox):
        return
    if not mirrors:
        raise FetchError("no Debian mirror URI in the apt sources (/etc/apt/sources.list.d/*.sources, "
                         "/etc/apt/sources.list); give one with --mirror")
    errors = []
    for mirror in mirrors:
        try:
            pkgs = fetch_index(mirror, suite, keyring)
            break
        except FetchError as e:
            errors.append(str(e))
    else:
        raise FetchError("; ".join(errors))
    debdir = os.path.join(cache, "debs")
    os.makedirs(debdir, exist_ok=True)
    if not os.path.isfile(image):
        fields = linux_package(pkgs)
        deb = fetch_deb(mirror, fields, debdir)
        member = extract_member(deb, r"(^|/)boot/vmlinux-[^/]+$", image)
        with open(os.path.join(cache, "linux", "VERSION"), "w") as f:
            f.write(f"{fields['Package']} {fields['Version']} {member}\n")
        say(f"Linux: {fields['Package']} {fields['Version']} {member} -> {image}")
    if not os.path.isfile(busybox):
        fields = pkgs.get("busybox-static")
        if not fields:
            raise FetchError(f"the {suite} index has no busybox-static for {ARCH}")
        deb = fetch_deb(mirror, fields, debdir)
        member = extract_member(deb, r"(^|/)bin/busybox$", busybox)
        os.chmod(busybox, 0o755)
        with open(os.path.join(cache, "busybox", "VERSION"), "w") as f:
            f.write(f"busybox-static {fields['Version']} {member}\n")
        say(f"busybox: busybox-static {fields['Version']} -> {busybox}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cache", required=True, help="cache directory (e.g. build/cache/guests)")
    ap.add_argument("--suite", default="trixie", help="Debian suite with riscv64 packages [trixie]")
    ap.add_argument("--mirror", help="Debian archive URI (default: from the apt sources)")
    ap.add_argument("--keyring", default=KEYRING, help=f"keyring for gpgv [{KEYRING}]")
    ap.add_argument("--only", choices=("debian", "uboot"), help="fetch only these guests")
    args = ap.parse_args()
    try:
        if args.only in (None, "uboot"):
            uboot(args.cache)
        if args.only in (None, "debian"):
            mirrors = [args.mirror.rstrip("/")] if args.mirror else configured_mirrors()
            debian_guests(args.cache, args.suite, mirrors, args.keyring)
    except FetchError as e:
        print(f"fetch-guests: {e}", file=sys.stderr)
        sys.exit(1)
    except subprocess.CalledProcessError as e:
        print(f"fetch-guests: {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
