"""python -m dream serve off loopback: a non-loopback --host refuses to start without a login; in headless
Chromium a wrong password is refused and the right one opens the app; without logging in, nothing answers;
--auth-token prints its password once; and the queue holds at most --max-waiting dreams: a burst beyond
it is refused with a message ("busy" in the page), while the accepted dreams finish."""
import subprocess
import sys
import time

import pytest

# web_app first: where there is no Gradio (Python 3.9, Debian 11), it skips this module before httpx, which
# comes with Gradio, is imported (the bullseye try found the collection error)
from web_app import astronaut_file, log_in, start_server, stop_server, sync_api, upload
import httpx  # noqa: E402,I100

USER, PASSWORD = "ada", "correct horse:battery staple"  # a password may hold ':' and spaces
MAX_WAITING = 2
BURST = 6


@pytest.fixture(scope="module")
def server(googlenet, tmp_path_factory):
    cache = tmp_path_factory.mktemp("gallery")
    proc, url, port = start_server(googlenet, cache, "--auth", f"{USER}:{PASSWORD}", "--max-waiting", str(MAX_WAITING))
    yield proc, url, cache
    stop_server(proc)


def serve(googlenet, *flags):
    prototxt, weights = googlenet
    return subprocess.run([sys.executable, "-m", "dream", "serve", "--prototxt", str(prototxt), "--weights",
                           str(weights), *flags], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "example.invalid"])
def test_a_host_other_than_loopback_needs_a_login(googlenet, host):
    started = time.time()
    r = serve(googlenet, "--host", host)
    assert r.returncode == 1 and r.stderr.count("\n") == 1, r.stderr
    assert r.stderr.startswith(f"dream: error: --host {host} lets other machines reach the app") and "--auth" in r.stderr
    assert time.time() - started < 30  # refused before the net loads


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "localhost", "::1"])
def test_loopback_hosts_need_no_login(host):
    from dream.cli.access import is_loopback
    assert is_loopback(host)


def test_bad_logins_are_one_line_that_never_shows_a_password(googlenet, tmp_path):
    secrets_file = tmp_path / "logins"
    secrets_file.write_text("# who may dream\n\nada:first secret\nbob-second-secret\n")
    twice = tmp_path / "twice"
    twice.write_text("ada:first secret\nada:second secret\n")
    cases = {("--auth", "no-colon-secret"): "--auth: expected USER:PASSWORD",
             ("--auth", ":empty-user-secret"): "--auth: expected USER:PASSWORD",
             ("--auth-file", str(secrets_file)): f"--auth-file {secrets_file}, line 4: expected USER:PASSWORD",
             ("--auth-file", str(tmp_path / "missing")): "cannot read it (No such file or directory)",
             ("--auth-file", str(tmp_path)): "cannot read it (Is a directory)",
             ("--auth-file", str(twice)): f"--auth-file {twice}: user 'ada' is on more than one line"}
    for flags, said in cases.items():
        r = serve(googlenet, "--host", "0.0.0.0", *flags)
        assert r.returncode == 1 and r.stderr.count("\n") == 1 and said in r.stderr, (flags, r.stderr)
        assert "secret" not in r.stderr.replace(str(tmp_path), ""), r.stderr
    r = serve(googlenet, "--auth", "a:b", "--auth-token")
    assert r.returncode == 2 and "not allowed with argument --auth" in r.stderr


def test_a_wrong_password_is_refused_and_the_right_one_opens_the_app(server, browser):
    _, url, _ = server
    page = browser.new_page()
    page.goto(url)
    log_in(page, USER, PASSWORD + "!")
    sync_api.expect(page.get_by_text("Incorrect Credentials")).to_be_visible()
    assert page.locator("#dream").count() == 0
    log_in(page, USER, PASSWORD)
    page.locator("#dream").wait_for()


def test_without_logging_in_nothing_answers(server, tmp_path):
    _, url, _ = server
    photo = astronaut_file(tmp_path)
    with open(photo, "rb") as f:
        assert httpx.post(url + "/gradio_api/upload", files={"files": (photo.name, f)}).status_code == 401
    for path in ("/config", "/gradio_api/info", "/gradio_api/queue/data?session_hash=x"):
        assert httpx.get(url + path).status_code == 401, path
    assert httpx.post(url + "/gradio_api/queue/join", json={"data": [], "fn_index": 0}).status_code == 401
    # the Live tab's camera frames: Gradio checks no login on this route, but it takes frames only for a running
    # stream, whose id only the logged-in page that started it (through queue/join, above) was given
    assert httpx.post(url + "/gradio_api/stream/x", json={"data": [], "fn_index": 0}).status_code == 404
    assert httpx.post(url + "/login", data={"username": USER, "password": "guess"}).status_code == 400
    logged_in = httpx.Client()
    assert logged_in.post(url + "/login", data={"username": USER, "password": PASSWORD}).status_code == 200
    assert logged_in.get(url + "/config").status_code == 200


def test_auth_token_prints_its_password_once_and_it_logs_in(googlenet, server):
    _, _, cache = server
    proc, url, _ = start_server(googlenet, cache, "--auth-token", "--host", "0.0.0.0")
    try:
        told = [line for line in proc.lines if "with password" in line]
        assert len(told) == 1, proc.lines
        password = told[0].split("with password ")[1].split()[0]
        assert len(password) >= 20
        assert httpx.post(url + "/login", data={"username": "dream", "password": password[:-1]}).status_code == 400
        assert httpx.post(url + "/login", data={"username": "dream", "password": password}).status_code == 200
    finally:
        stop_server(proc)
    assert sum("password" in line for line in proc.lines) == 1


def test_a_burst_beyond_the_waiting_bound_is_refused_and_the_rest_run(server, browser, tmp_path):
    """One dream runs; then a burst of BURST - 1 more from loopback: MAX_WAITING wait, the rest are refused
    at once. A page that asks meanwhile is told the app is busy; the accepted dreams all finish."""
    from gradio_client import Client, handle_file
    from gradio_client.utils import Status
    _, url, _ = server
    photo = astronaut_file(tmp_path, size=(512, 512))
    page = open_page_logged_in(browser, url)  # ready before the burst: its click comes while the queue is full
    upload(page, "photo", photo)
    clients = [Client(url, auth=(USER, PASSWORD), verbose=False) for _ in range(BURST)]

    def submit(client, seed):  # 512x512, 4 octaves of 20 steps on 4c: ~10 s each here
        return client.submit(handle_file(str(photo)), "inception_4c/output", 4, 20, 1.5, 32, seed, None, None, 8,
                             api_name="/dream")

    running = submit(clients[0], 0)
    deadline = time.time() + 60
    while running.status().code not in (Status.PROCESSING, Status.ITERATING, Status.PROGRESS):
        assert time.time() < deadline, running.status()
        time.sleep(0.1)
    burst = [running] + [submit(client, seed) for seed, client in enumerate(clients[1:], 1)]
    while sum(job.done() for job in burst) < BURST - MAX_WAITING - 1:  # the refused ones end at once
        assert time.time() < deadline, [job.status().code for job in burst]
        time.sleep(0.1)
    page.locator("#dream").click()
    sync_api.expect(page.get_by_text("This application is currently busy. Please try again.")).to_be_visible()
    outcomes = [outcome(job) for job in burst]
    refused = [o for o in outcomes if o.startswith("refused")]
    assert refused == ["refused: Queue is full! Please try again."] * (BURST - MAX_WAITING - 1), outcomes
    assert [o for o in outcomes if o not in refused] == ["done"] * (MAX_WAITING + 1), outcomes


def outcome(job):
    """A dream's status line, or 'refused: ...' with gradio_client's error for a refused join."""
    try:
        *_, status = job.result(timeout=600)
        return status
    except Exception as e:
        return f"refused: {e}"


def open_page_logged_in(browser, url):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(url)
    log_in(page, USER, PASSWORD)
    page.locator("#dream").wait_for()
    return page
