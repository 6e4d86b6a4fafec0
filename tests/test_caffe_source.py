"""scripts/fetch_caffe_source.py: when the first address fails (bullseye gone from the main mirror),
the next ones are tried, and every file is checked by sha256 wherever it came from."""
import functools
import hashlib
import http.server
import importlib.util
import io
import tarfile
import threading
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def fetcher():
    spec = importlib.util.spec_from_file_location("fetch_caffe_source", REPO / "scripts" / "fetch_caffe_source.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def tarball(files, mode):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def source_package(pool):
    """A small source package laid out as Debian's: an orig tarball with its files at the top (as caffe's),
    a debian tarball whose one patch changes a file. Returns the .dsc's sha256."""
    pool.mkdir(parents=True)
    orig = tarball({"CMakeLists.txt": "project(toy)\n", "src/a.cpp": "int a = 1;\n"}, "w:gz")
    patch = "--- a/src/a.cpp\n+++ b/src/a.cpp\n@@ -1 +1 @@\n-int a = 1;\n+int a = 2;\n"
    debian = tarball({"debian/patches/series": "fix-a.patch\n", "debian/patches/fix-a.patch": patch}, "w:xz")
    files = {"toy_1.0.orig.tar.gz": orig, "toy_1.0-1.debian.tar.xz": debian}
    sums = "".join(f" {hashlib.sha256(d).hexdigest()} {len(d)} {n}\n" for n, d in files.items())
    dsc = f"Format: 3.0 (quilt)\nSource: toy\nVersion: 1.0-1\nChecksums-Sha256:\n{sums}\n".encode()
    for name, data in {**files, "toy_1.0-1.dsc": dsc}.items():
        (pool / name).write_bytes(data)
    return hashlib.sha256(dsc).hexdigest()


@pytest.fixture
def server(tmp_path):
    """A local HTTP server over tmp_path/www: one folder per mirror."""
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass
    handler = functools.partial(Quiet, directory=str(tmp_path / "www"))
    (tmp_path / "www").mkdir()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", tmp_path / "www"
    httpd.shutdown()


def use_toy(fetcher, monkeypatch, dsc_sha256, mirrors):
    monkeypatch.setattr(fetcher, "PACKAGE", "toy")
    monkeypatch.setattr(fetcher, "VERSION", "1.0-1")
    monkeypatch.setattr(fetcher, "DSC_SHA256", dsc_sha256)
    monkeypatch.setattr(fetcher, "POOL", "pool/main/t/toy")
    monkeypatch.setenv("DREAM_DEBIAN_MIRRORS", " ".join(mirrors))


def test_falls_back_past_a_dead_mirror_and_a_wrong_file(fetcher, server, tmp_path, monkeypatch, capsys):
    url, www = server
    sha = source_package(www / "good" / "pool/main/t/toy")
    source_package(www / "tampered" / "pool/main/t/toy")  # another package under the same names
    (www / "tampered" / "pool/main/t/toy" / "toy_1.0-1.dsc").write_text("Format: 3.0 (quilt)\n")
    dead = "http://127.0.0.1:9/debian"  # refused: the main mirror after bullseye moved
    use_toy(fetcher, monkeypatch, sha, [dead, f"{url}/missing", f"{url}/tampered", f"{url}/good"])
    assert fetcher.main([str(tmp_path / "src" / "toy")]) == 0
    tree = tmp_path / "src" / "toy"
    assert (tree / "src" / "a.cpp").read_text() == "int a = 2;\n"  # Debian's patch applied
    assert (tree / "CMakeLists.txt").is_file() and (tree / "debian" / "patches" / "series").is_file()
    err = capsys.readouterr().err
    assert f"toy_1.0-1.dsc from {url}/good (sha256 ok)" in err


def test_no_mirror_with_the_right_bytes_is_one_clear_failure(fetcher, server, tmp_path, monkeypatch, capsys):
    url, www = server
    source_package(www / "good" / "pool/main/t/toy")
    use_toy(fetcher, monkeypatch, "0" * 64, ["http://127.0.0.1:9/debian", f"{url}/good"])
    assert fetcher.main([str(tmp_path / "src" / "toy")]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "not found with sha256 " + "0" * 64 in err
    assert "127.0.0.1:9" in err and "sha256 " in err.split(f"{url}/good")[1]
    assert not (tmp_path / "src" / "toy").exists() and not list((tmp_path / "src").iterdir())  # nothing half-made


def test_the_real_package_is_pinned(fetcher):
    assert fetcher.VERSION == "1.0.0+git20180821.99bd997-8" and len(fetcher.DSC_SHA256) == 64
    assert [m.split("/")[2] for m in fetcher.MIRRORS] == ["deb.debian.org", "archive.debian.org", "snapshot.debian.org"]
