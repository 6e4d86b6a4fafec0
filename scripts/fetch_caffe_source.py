"""Fetches Debian bullseye's caffe source package and unpacks it as `apt-get source` would, with no root,
no apt and no dpkg-dev: the .dsc by its sha256 pinned here, the tarballs by the sha256s the .dsc lists.

Debian moves an ended release from its main mirror to archive.debian.org, and months later the old
addresses answer 404 (buster's did); snapshot.debian.org keeps every file forever, by date. Each file
is tried at each mirror in order, so a build keeps working wherever the files went.

  python3 scripts/fetch_caffe_source.py DEST     (DEST: the folder to create, the patched source tree)
  DREAM_DEBIAN_MIRRORS="URL URL ..."             (replaces the mirrors below, in order)
"""
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

PACKAGE = "caffe"
VERSION = "1.0.0+git20180821.99bd997-8"  # bullseye's, BVLC commit 99bd997 plus Debian's patches
DSC_SHA256 = "c492f4893fc1ba1fb514b2d9b4763bc78dc93571ea24adc6e604eccbb93cdd64"
POOL = f"pool/main/{PACKAGE[0]}/{PACKAGE}"
MIRRORS = [
    "http://deb.debian.org/debian",
    "http://archive.debian.org/debian",
    # a moment when bullseye was the stable release: its caffe was in the archive then
    "https://snapshot.debian.org/archive/debian/20240101T000000Z",
]
TIMEOUT_S = 60
# tarfile's safe extraction where this Python has it (3.12, and 3.9 to 3.11's later releases)
SAFE = {"filter": "data"} if hasattr(tarfile, "data_filter") else {}


class FetchError(Exception):
    pass


def mirrors():
    return os.environ.get("DREAM_DEBIAN_MIRRORS", "").split() or MIRRORS


def sha256_of(data):
    return hashlib.sha256(data).hexdigest()


def fetch(name, sha256, pool=None, fallbacks=()):
    """The bytes of pool file `name` (in folder `pool`, default caffe's) from the first mirror that has
    them with this sha256; fallbacks: mirrors to try after these (snapshots of a moment the file was
    there)."""
    pool = pool or POOL
    tried = []
    for mirror in [*mirrors(), *fallbacks]:
        url = f"{mirror.rstrip('/')}/{pool}/{name}"
        try:
            with urllib.request.urlopen(url, timeout=TIMEOUT_S) as r:
                data = r.read()
        except (urllib.error.URLError, OSError, ValueError) as e:
            tried.append(f"{url}: {getattr(e, 'reason', e)}")
            continue
        if sha256_of(data) != sha256:
            tried.append(f"{url}: sha256 {sha256_of(data)}, not {sha256}")
            continue
        print(f"==> {name} from {mirror} (sha256 ok)", file=sys.stderr)
        return data
    raise FetchError(f"{name} not found with sha256 {sha256} at any mirror: " + "; ".join(tried))


def listed_files(dsc_text):
    """{file name: sha256} from the .dsc's Checksums-Sha256 field."""
    field = re.search(r"^Checksums-Sha256:\n((?: .*\n)+)", dsc_text, re.M)
    if not field:
        raise FetchError("the .dsc has no Checksums-Sha256 field")
    return {name: digest for digest, _, name in (line.split() for line in field.group(1).splitlines())}


def apply_patch(tree, patch):
    """patch(1) where the system has it, else git apply (a fresh system without root has git, not patch)."""
    if shutil.which("patch"):
        cmd = ["patch", "-p1", "--forward", "-s", "-i", str(patch)]
    else:  # no repository above the tree: git apply then patches the files as patch(1) would
        cmd = ["git", "apply", "-p1", str(patch)]
    env = dict(os.environ, GIT_CEILING_DIRECTORIES=str(Path(tree).parent))
    r = subprocess.run(cmd, cwd=tree, env=env, capture_output=True, text=True)
    if r.returncode:
        raise FetchError(f"{patch.name} did not apply: {(r.stdout + r.stderr).strip()[:300]}")


def unpack(files, dest):
    """orig.tar.gz, then debian.tar.xz into it, then debian/patches/series applied: dpkg-source -x."""
    upstream = VERSION.rsplit("-", 1)[0]
    with tempfile.TemporaryDirectory(dir=dest.parent) as tmp:
        tmp = Path(tmp)
        for name, data in files.items():
            (tmp / name).write_bytes(data)
        orig = next(n for n in files if ".orig.tar." in n)
        debian = next(n for n in files if ".debian.tar." in n)
        tree = tmp / f"{PACKAGE}-{upstream}"
        with tarfile.open(tmp / orig) as tar:
            members = tar.getmembers()
            tar.extractall(tmp / "orig", **SAFE)
        tops = {m.name.split("/")[0] for m in members}
        if len(tops) == 1 and members[0].isdir():  # one top folder: it is the tree (as dpkg-source takes it)
            (tmp / "orig" / tops.pop()).rename(tree)
        else:  # the files themselves at the top (caffe's orig tarball)
            (tmp / "orig").rename(tree)
        with tarfile.open(tmp / debian) as tar:
            tar.extractall(tree, **SAFE)
        series = tree / "debian" / "patches" / "series"
        for line in series.read_text().splitlines() if series.exists() else []:
            name = line.split("#")[0].strip()
            if name:
                apply_patch(tree, tree / "debian" / "patches" / name)
        tree.rename(dest)


def main(argv):
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    dest = Path(argv[0])
    if dest.exists():
        print(f"==> {dest} already holds the source", file=sys.stderr)
        return 0
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        dsc_name = f"{PACKAGE}_{VERSION}.dsc"
        dsc = fetch(dsc_name, DSC_SHA256).decode()
        files = {name: fetch(name, digest) for name, digest in listed_files(dsc).items()}
        unpack(files, dest)
    except FetchError as e:
        print(f"fetch_caffe_source: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
