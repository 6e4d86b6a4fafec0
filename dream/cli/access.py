"""Who may use the web app. On loopback, whoever is on this machine; on any other address (0.0.0.0 in a
container, a LAN address), only those who log in: serve refuses to start there without --auth,
--auth-file or --auth-token."""
import ipaddress
import secrets
import socket
import sys

from ..errors import DreamError

GENERATED_USER = "dream"


def add_access_args(p):
    g = p.add_argument_group("access (required when --host is not a loopback address)")
    how = g.add_mutually_exclusive_group()
    how.add_argument("--auth", metavar="USER:PASSWORD", help="log in with this user and password")
    how.add_argument("--auth-file", metavar="FILE",
                     help="log in as any USER:PASSWORD line of FILE (blank lines and # comments skipped), "
                          "e.g. a Docker secret: a password kept off the command line")
    how.add_argument("--auth-token", action="store_true",
                     help=f"log in as user '{GENERATED_USER}' with a password generated now and printed once")
    return g


def is_loopback(host):
    """True if every address host stands for is a loopback one; 0.0.0.0 and :: (every interface) are not.
    A name that does not resolve counts as reachable from outside (binding it fails later, clearly)."""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except (socket.gaierror, UnicodeError, ValueError):
        return False
    return all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in addresses)


def credentials(request):
    """The (user, password) pairs that may log in, or None for no login; DreamError on a non-loopback
    --host without any, or on bad ones. A generated password is printed here, once."""
    if request.auth is not None:
        return [user_password(request.auth, "--auth")]
    if request.auth_file is not None:
        return read_auth_file(request.auth_file)
    if request.auth_token:
        password = secrets.token_urlsafe(18)
        print(f"dream: log in as user '{GENERATED_USER}' with password {password} (generated for this run; "
              f"--auth-file keeps one across runs)", file=sys.stderr, flush=True)
        return [(GENERATED_USER, password)]
    if not is_loopback(request.host):
        raise DreamError(f"--host {request.host} lets other machines reach the app: it needs a login, "
                         f"--auth USER:PASSWORD, --auth-file FILE or --auth-token (a generated password)")
    return None


def user_password(text, where):
    """'user:password' -> ('user', 'password'): the password is everything after the first ':', spaces
    included. Never echoes the text."""
    user, colon, password = text.partition(":")
    if not colon or not user.strip() or not password:
        raise DreamError(f"{where}: expected USER:PASSWORD, with neither part empty")
    return user.strip(), password


def read_auth_file(path):
    """The USER:PASSWORD lines of path; a user named twice is refused (Gradio would keep the last)."""
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except (OSError, UnicodeDecodeError) as e:
        raise DreamError(f"--auth-file {path}: cannot read it ({getattr(e, 'strerror', None) or e})") from None
    pairs = [user_password(line, f"--auth-file {path}, line {n}")
             for n, line in enumerate(lines, 1) if line.strip() and not line.lstrip().startswith("#")]
    if not pairs:
        raise DreamError(f"--auth-file {path}: no USER:PASSWORD line in it")
    users = [user for user, _ in pairs]
    twice = next((user for user in users if users.count(user) > 1), None)
    if twice is not None:
        raise DreamError(f"--auth-file {path}: user {twice!r} is on more than one line")
    return pairs

