"""scripts/download_models: verified, atomic, resumable, and clear when offline."""
import hashlib
import importlib.util
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "scripts" / "download_models.sh"


@pytest.fixture
def dl(tmp_path, monkeypatch):
    """The download module, imported from scripts/, writing into a temporary models folder."""
    spec = importlib.util.spec_from_file_location("download_models", REPO / "dream" / "download.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    monkeypatch.setattr(mod, "MODELS_DIR", tmp_path / "models")
    (tmp_path / "models").mkdir()
    return mod


def run_script(*args, models_dir):
    return subprocess.run(["bash", str(SCRIPT), *map(str, args)], capture_output=True, text=True,
                          env={"PATH": "/usr/bin:/bin", "DREAM_MODELS_DIR": str(models_dir),
                               "PYTHON": sys.executable})


def test_offline_failure_says_url_file_place_and_sha1(tmp_path):
    empty = tmp_path / "mirror"
    empty.mkdir()
    r = run_script("bvlc_googlenet", "--from", empty, models_dir=tmp_path / "models")
    assert r.returncode == 1
    assert "http://dl.caffe.berkeleyvision.org/bvlc_googlenet.caffemodel" in r.stderr
    assert str(tmp_path / "models" / "bvlc_googlenet" / "bvlc_googlenet.caffemodel") in r.stderr
    assert "405fc5acd08a3bb12de8ee5e23a96bec22f08204" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    # an unreachable server fails the same way, quickly (a closed local port, no internet needed)
    r = run_script("samples", "--from", "http://127.0.0.1:9/", models_dir=tmp_path / "models")
    assert r.returncode == 1 and "could not download http://127.0.0.1:9/sky1024px.jpg" in r.stderr
    assert not list((tmp_path / "models").rglob("*.jpg"))


def test_verified_copy_then_noop(dl, tmp_path):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    payload = b"a photo, in spirit" * 1000
    (mirror / "pic.jpg").write_bytes(payload)
    dl.REGISTRY["toy"] = {"files": {"pic.jpg": {"url": "https://example.invalid/pic.jpg",
                                                "sha1": hashlib.sha1(payload).hexdigest()}}}
    assert dl.fetch_model("toy", str(mirror)) == ["toy: fetched pic.jpg (sha1 ok)"]
    assert (dl.MODELS_DIR / "toy" / "pic.jpg").read_bytes() == payload
    (mirror / "pic.jpg").unlink()  # a re-run needs nothing from the mirror
    assert dl.fetch_model("toy", str(mirror)) == ["toy: all files present and verified"]


def test_bad_checksum_leaves_no_file(dl, tmp_path):
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    (mirror / "pic.jpg").write_bytes(b"wrong bytes")
    dl.REGISTRY["toy"] = {"files": {"pic.jpg": {"url": "https://example.invalid/pic.jpg", "sha1": "0" * 40}}}
    with pytest.raises(dl.FetchError, match="sha1 mismatch"):
        dl.fetch_model("toy", str(mirror))
    assert not list((dl.MODELS_DIR / "toy").iterdir())  # neither the final name nor a .part file


def test_archive_members_are_extracted_and_verified(dl, tmp_path):
    mirror = tmp_path / "mirror"
    (mirror / "inner").mkdir(parents=True)
    (mirror / "inner" / "net.protxt").write_text("name: 'x'")
    (mirror / "inner" / "w.caffemodel").write_bytes(b"weights")
    with tarfile.open(mirror / "toy.tar.gz", "w:gz") as tar:
        tar.add(mirror / "inner", arcname="toy")
    dl.REGISTRY["toy"] = {
        "weights": "toy.caffemodel",
        "archive": {"url": "http://example.invalid/toy.tar.gz", "name": "toy.tar.gz"},
        "files": {"deploy.prototxt": {"member": "net.protxt", "sha1": None},
                  "toy.caffemodel": {"member": "w.caffemodel", "sha1": hashlib.sha1(b"weights").hexdigest()}}}
    dl.fetch_model("toy", str(mirror))
    assert (dl.MODELS_DIR / "toy" / "toy.caffemodel").read_bytes() == b"weights"
    assert (dl.MODELS_DIR / "toy" / "deploy.prototxt").read_text() == "name: 'x'"
    assert sorted(p.name for p in dl.MODELS_DIR.iterdir()) == ["toy"]  # the archive was temporary


def test_archive_is_verified_and_unknown_member_sha1_is_computed(dl, tmp_path):
    """Places205's published sha1 is the tarball's: check it there; the caffemodel's is only computed."""
    mirror = tmp_path / "mirror"
    (mirror / "inner").mkdir(parents=True)
    (mirror / "inner" / "w.caffemodel").write_bytes(b"weights")
    with tarfile.open(mirror / "toy.tar.gz", "w:gz") as tar:
        tar.add(mirror / "inner", arcname="toy")
    good = dl.sha1_of(mirror / "toy.tar.gz")
    files = {"toy.caffemodel": {"member": "w.caffemodel", "sha1": None}}
    dl.REGISTRY["toy"] = {"weights": "toy.caffemodel", "files": files, "archive": {
        "url": "http://example.invalid/toy.tar.gz", "name": "toy.tar.gz", "sha1": "0" * 40}}
    with pytest.raises(dl.FetchError, match="sha1 mismatch"):
        dl.fetch_model("toy", str(mirror))
    assert not (dl.MODELS_DIR / "toy").exists() or not list((dl.MODELS_DIR / "toy").iterdir())
    dl.REGISTRY["toy"]["archive"]["sha1"] = good
    lines = dl.fetch_model("toy", str(mirror))
    assert "archive sha1 ok" in lines[0]
    assert hashlib.sha1(b"weights").hexdigest() in lines[1] and "computed at first download" in lines[1]
    places = dl.REGISTRY["googlenet_places205"]
    assert places["archive"]["sha1"] == "d767debf686fa15df1e05fbc9b4598076127134a"
    assert places["files"]["googlenet_places205.caffemodel"]["sha1"] is None


def test_shipped_prototxt_is_intact(dl):
    dl.MODELS_DIR = REPO / "models"
    entry = dl.REGISTRY["bvlc_googlenet"]["files"]["deploy.prototxt"]
    assert dl.sha1_of(REPO / "dream" / "model_definitions" / "bvlc_googlenet" / "deploy.prototxt") == entry["sha1"]
