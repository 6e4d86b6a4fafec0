"""The Docker image's two servers, run there by scripts/docker_check.sh (standard library only).
The web app:
- serve on 0.0.0.0 without a login is refused, in one line, before the net loads;
- the entrypoint's `serve` (0.0.0.0 and a generated password) prints that password once;
- through loopback: no page config and no upload without logging in, a wrong password refused, the
  printed one let in, and then the config answers.
The notebook: the entrypoint's `jupyter` answers with the token it prints, and refuses without it.
  python docker_check_apps.py PROTOTXT WEIGHTS"""
import http.cookiejar
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

PORT, JUPYTER_PORT = 7860, 8888
URL = f"http://127.0.0.1:{PORT}"
START_TIMEOUT_S = 600  # the layer pictures are made at the first start: minutes on 2 cores


def check(ok, what):
    if not ok:
        sys.exit(f"docker_check_apps: FAILED: {what}")
    print(f"==> {what}: ok", file=sys.stderr)


def status(opener, path, data=None, url=URL):
    try:
        with opener.open(url + path, data=data, timeout=30) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code


def refused_without_login(model):
    r = subprocess.run([sys.executable, "-m", "dream", "serve", "--host", "0.0.0.0", *model],
                       capture_output=True, text=True, timeout=120)
    lines = r.stderr.strip().splitlines()
    check(r.returncode == 1 and len(lines) == 1 and "--auth" in lines[0],
          f"serve --host 0.0.0.0 without a login refused: {lines[-1] if lines else r.stderr!r}")


def start(args, ready):
    """dream-entrypoint ARGS, as `docker run IMAGE ARGS` starts it, once a line of its output holds ready;
    (process, its lines)."""
    proc = subprocess.Popen(["dream-entrypoint", *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = []
    threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True).start()
    started = time.time()
    while not any(ready in line for line in lines):
        if proc.poll() is not None or time.time() - started > START_TIMEOUT_S:
            proc.kill()
            sys.exit(f"docker_check_apps: FAILED: {args[0]} did not start:\n" + "".join(lines))
        time.sleep(0.5)
    print(f"==> {args[0]} started in {time.time() - started:.0f} s", file=sys.stderr)
    return proc, lines


def stop(proc):
    proc.terminate()
    proc.wait(timeout=60)


def login(opener, user, password):
    return status(opener, "/login", urllib.parse.urlencode({"username": user, "password": password}).encode())


def web_app(prototxt, weights):
    model = ["--prototxt", prototxt, "--weights", weights]
    refused_without_login(model)
    proc, lines = start(["serve", "--port", str(PORT), *model], "serving on")
    try:
        told = [m for line in lines for m in re.findall(r"log in as user '(\w+)' with password (\S+)", line)]
        check(len(told) == 1, "the entrypoint's serve printed a generated password once")
        user, password = told[0]
        anonymous = urllib.request.build_opener()
        check(status(anonymous, "/config") == 401, "the page's config refused without a login")
        check(status(anonymous, "/gradio_api/upload", b"") == 401, "an upload refused without a login")
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        check(login(browser, user, password + "x") == 400, "a wrong password refused")
        check(status(browser, "/config") == 401, "still no config after the wrong password")
        check(login(browser, user, password) == 200, "the printed password let in")
        check(status(browser, "/config") == 200, "the page's config after logging in")
        check(sum("password" in line for line in lines) == 1, "the password is in the log once")
    finally:
        stop(proc)


def notebook():
    proc, lines = start(["jupyter"], f":{JUPYTER_PORT}/lab?token=")
    try:
        token = next(m for line in lines for m in re.findall(r"/lab\?token=(\w+)", line))
        url, opener = f"http://127.0.0.1:{JUPYTER_PORT}", urllib.request.build_opener()
        check(status(opener, "/api/contents/dream.ipynb", url=url) == 403, "jupyter without its token refused")
        check(status(opener, f"/api/contents/dream.ipynb?token={token}", url=url) == 200,
              "jupyter with its printed token serves the notebook")
    finally:
        stop(proc)


if __name__ == "__main__":
    web_app(*sys.argv[1:])
    notebook()
