"""Fetch and verify the models and sample photos listed in dream/model_definitions/registry.json.

python -m dream download [NAME...], or scripts/download_models.sh in a checkout. Standard library
only, and runnable as a file, so that it runs before (or without) the project's venv.
Every file is written to a temporary name, checked against its sha1, then
renamed: a final name never holds a partial or unverified file.
"""
import argparse
import hashlib
import json
import os
import shutil
import sys
import tarfile
import tempfile
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

# What dream ships (package data, in a wheel too): the registry, GoogLeNet's prototxt, the labels.
DEFINITIONS = Path(__file__).resolve().parent / "model_definitions"
CHECKOUT = Path(__file__).resolve().parent.parent


def models_dir():
    """Where weights and photos are downloaded: $DREAM_MODELS (or its older name, $DREAM_MODELS_DIR);
    else models/ in a checkout of the repository; else the user's cache, ~/.cache/dream/models."""
    chosen = os.environ.get("DREAM_MODELS") or os.environ.get("DREAM_MODELS_DIR")
    if chosen:
        return Path(chosen)
    if (CHECKOUT / "pyproject.toml").is_file() and (CHECKOUT / "models").is_dir():
        return CHECKOUT / "models"
    cache = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(cache) / "dream" / "models"


MODELS_DIR = models_dir()
REGISTRY = json.loads((DEFINITIONS / "registry.json").read_text())
NAMES = [k for k in REGISTRY if not k.startswith("_")]
TIMEOUT_S = 60


class FetchError(Exception):
    """A file that could not be fetched or verified; the message says what to do."""


def sha1_of(path):
    h = hashlib.sha1()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def is_good(path, sha1):
    return path.is_file() and (sha1 is None or sha1_of(path) == sha1)


def copy_url(url, dest, mirror):
    """Copy url (or the same file name from mirror) into the open file dest."""
    name = url.rsplit("/", 1)[-1]
    if mirror:
        if "://" not in mirror:
            src = Path(mirror) / name
            if not src.is_file():
                raise FetchError(f"{name}: not found in mirror directory {mirror}")
            with open(src, "rb") as f:
                shutil.copyfileobj(f, dest)
            return str(src)
        url = urllib.parse.urljoin(mirror.rstrip("/") + "/", name)
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as r:
            total = int(r.headers.get("Content-Length") or 0)
            done = 0
            for chunk in iter(lambda: r.read(1 << 20), b""):
                dest.write(chunk)
                done += len(chunk)
                if total and sys.stderr.isatty():
                    print(f"\r  {name}: {done >> 20}/{total >> 20} MiB", end="", file=sys.stderr)
            if total and sys.stderr.isatty():
                print(file=sys.stderr)
    except (urllib.error.URLError, OSError, ValueError) as e:
        reason = getattr(e, "reason", e)
        raise FetchError(f"could not download {url} ({reason})") from None
    return url


def fetch_to(url, final, sha1, mirror):
    """Download url to final via a temporary file, verifying sha1 first."""
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".part", dir=final.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            source = copy_url(url, f, mirror)
        got = sha1_of(tmp) if sha1 else None
        if sha1 and got != sha1:
            raise FetchError(f"{final.name}: sha1 mismatch from {source}: got {got}, want {sha1}")
        os.chmod(tmp, 0o644)  # mkstemp makes 0600 files
        os.replace(tmp, final)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def extract_members(archive, model_dir, files):
    """Extract the named archive members (matched by base name) and verify them."""
    model_dir.mkdir(parents=True, exist_ok=True)
    with tarfile.open(archive) as tar:
        by_base = {Path(m.name).name: m for m in tar.getmembers() if m.isfile()}
        for fname, spec in files.items():
            member = by_base.get(spec["member"])
            if member is None:
                raise FetchError(f"{archive.name} has no member {spec['member']}")
            fd, tmp = tempfile.mkstemp(prefix=f".{fname}.", suffix=".part", dir=model_dir)
            try:
                with os.fdopen(fd, "wb") as out:
                    shutil.copyfileobj(tar.extractfile(member), out)
                if spec.get("sha1") and sha1_of(tmp) != spec["sha1"]:
                    raise FetchError(f"{fname} from {archive.name}: sha1 mismatch, want {spec['sha1']}")
                os.chmod(tmp, 0o644)
                os.replace(tmp, model_dir / fname)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)


def how_to_get(name, fname, spec, url):
    where = MODELS_DIR / name / fname
    want = f" with sha1 {spec['sha1']}" if spec.get("sha1") else ""
    return (f"get {url} on a machine with internet and put {fname} at {where}{want}, "
            f"or rerun with --from DIR (or DREAM_MIRROR=DIR) where DIR holds {url.rsplit('/', 1)[-1]}")


def fetch_model(name, mirror):
    """Make every file of registry entry `name` present and verified. Returns messages."""
    entry = REGISTRY[name]
    model_dir = MODELS_DIR / name
    for fname, spec in entry["files"].items():  # shipped: checked where dream reads them, never copied
        shipped = DEFINITIONS / name / fname
        if spec.get("shipped") and not is_good(shipped, spec["sha1"]):
            raise FetchError(f"{shipped} is shipped with dream but missing or modified: reinstall dream, "
                             f"or in a checkout: git checkout -- dream/model_definitions/{name}/{fname}")
    missing = {f: s for f, s in entry["files"].items()
               if not s.get("shipped") and not is_good(model_dir / f, s.get("sha1"))}
    if not missing:
        return [f"{name}: all files present and verified"]
    if "archive" in entry:
        arch = entry["archive"]
        with tempfile.TemporaryDirectory(dir=MODELS_DIR) as tmpdir:
            archive = Path(tmpdir) / arch["name"]
            try:
                fetch_to(arch["url"], archive, arch.get("sha1"), mirror)
            except FetchError as e:
                raise FetchError(f"{name}: {e}. To fix: {how_to_get(name, arch['name'], arch, arch['url'])}; "
                                 f"it unpacks to {entry['weights']}") from None
            extract_members(archive, model_dir, missing)
        done = [f"{name}: extracted {', '.join(missing)} from {arch['name']}"
                + (" (archive sha1 ok)" if arch.get("sha1") else "")]
        weights = entry.get("weights")
        if weights in missing and not missing[weights].get("sha1"):  # no published checksum to compare with
            done.append(f"{name}: {weights} has sha1 {sha1_of(model_dir / weights)} "
                        f"(computed at first download; no published value to check it against)")
        return done
    done = []
    for fname, spec in missing.items():
        try:
            fetch_to(spec["url"], model_dir / fname, spec["sha1"], mirror)
        except FetchError as e:
            raise FetchError(f"{name}/{fname}: {e}. To fix: {how_to_get(name, fname, spec, spec['url'])}") from None
        done.append(f"{name}: fetched {fname} (sha1 ok)" if spec["sha1"] else
                    f"{name}: fetched {fname}, sha1 {sha1_of(model_dir / fname)} (computed at first download; "
                    f"no published value to check it against)")
    return done


def model_list():
    """One line per model: name, whether its weights are here, their size, what it is, its licence."""
    lines = []
    for name in NAMES:
        entry = REGISTRY[name]
        if "weights" not in entry:
            continue
        spec = entry["files"][entry["weights"]]
        here = "here " if (MODELS_DIR / name / entry["weights"]).is_file() else "     "
        licence = entry.get("licence", {}).get("weights", "")
        lines.append(f"{name:<24} {here} ~{spec.get('size_mb', '?'):>3} MB  {entry['description']}"
                     + (f"; weights: {licence.split(' (')[0]}" if licence else ""))
    return "\n".join(lines)


def main(argv=None, prog="dream download"):
    p = argparse.ArgumentParser(
        prog=prog, description=__doc__.splitlines()[0] + f" Into {MODELS_DIR} (DREAM_MODELS moves it).",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("names", nargs="*", metavar="NAME", default=["bvlc_googlenet", "samples"],
                   help=f"what to fetch, from: {', '.join(NAMES)}")
    p.add_argument("--from", dest="mirror", default=os.environ.get("DREAM_MIRROR"),
                   help="offline use: a directory (or base URL) holding the files by their download names "
                        "(env DREAM_MIRROR)")
    p.add_argument("--list", action="store_true", help="list the models (size, licence, whether here) and exit")
    args = p.parse_args(argv)
    if args.list:
        print(model_list())
        return 0
    unknown = [n for n in args.names if n not in NAMES]
    if unknown:
        p.error(f"unknown name {unknown[0]!r}; choose from {', '.join(NAMES)}")
    failed = 0
    for name in dict.fromkeys(args.names):
        try:
            for line in fetch_model(name, args.mirror):
                print(line)
        except FetchError as e:
            print(f"{prog}: {e}", file=sys.stderr)
            failed += 1
    return 1 if failed else 0


if __name__ == "__main__":  # scripts/download_models.sh runs this file, without the package
    sys.exit(main(prog="download_models.sh"))
