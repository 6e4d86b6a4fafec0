"""python -m dream serve: the web app on this machine (127.0.0.1 unless told otherwise; elsewhere only
behind a login, dream.cli.access)."""
from pathlib import Path

from ..errors import DreamError

MAX_LIVE = 64  # --max-live's ceiling: each viewer holds a frame and its dream
MAX_WAITING = 10_000  # --max-waiting's ceiling: each waiting dream holds a photo; past this, only a flood waits


def build_parser():
    from .access import add_access_args
    from .common import DefaultsFormatter, OneLineParser, add_memory_args, add_model_args, memory_size, positive
    p = OneLineParser(prog="python -m dream serve", formatter_class=DefaultsFormatter, description=(
        "A web app for dreaming without a terminal: upload a photo, pick a layer by its picture, watch it "
        "dream, download it. Needs the web extra: pip install -e '.[web]'."))
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (0.0.0.0 makes the app reachable from other machines, and "
                        "needs a login: see access)")
    p.add_argument("--port", type=int, default=7860, help="port to listen on")
    p.add_argument("--max-upload", type=memory_size, default="50M", metavar="SIZE",
                   help="largest photo upload accepted, e.g. 50M")
    p.add_argument("--cache", default=str(Path.home() / ".cache" / "dream" / "gallery"),
                   help="folder for the layer pictures, made once per model")
    p.add_argument("--max-waiting", type=positive(int, MAX_WAITING), default=16, metavar="N",
                   help="dreams that may wait for the one running; more are refused with a message, so that a "
                        "flood of requests cannot grow the server's memory")
    p.add_argument("--max-live", type=positive(int, MAX_LIVE), default=2, metavar="N",
                   help="people who may dream live from their camera at once (the Live tab), taking turns on one "
                        "net a frame at a time; one more is told to try again later")
    add_access_args(p)
    add_memory_args(p)
    add_model_args(p)
    return p


def run(request):
    from .access import credentials
    from .common import checked_model
    from ..web.serve import PortUnavailable, require_gradio, serve
    require_gradio()
    if not 0 < request.port < 65536:
        raise DreamError(f"--port {request.port} is not a port (1 to 65535)")
    logins = credentials(request)  # before the net loads: a refusal takes no time
    model, weights_sha1 = checked_model(request)
    try:
        serve(model, weights_sha1, request.gpu, request.cache, request.host, request.port, logins, request.max_upload,
              request.max_memory, request.tile_margin, request.max_waiting, request.max_live)
    except PortUnavailable:
        raise DreamError(f"cannot listen on {request.host}:{request.port}: the port is taken or not allowed; "
                         f"choose another --port") from None
    return 0
