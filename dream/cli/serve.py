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
    m = add_model_args(p)
    m.add_argument("--models", default="downloaded", metavar="NAMES",
                   help="the other models the Dream tab offers in a picker (each loaded on its first use): "
                        "comma-separated names, 'downloaded' for every model whose weights are here, or 'none'")
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
    others = offered_models(request.models, model.name)
    try:
        serve(model, weights_sha1, request.gpu, request.cache, request.host, request.port, logins, request.max_upload,
              request.max_memory, request.tile_margin, request.max_waiting, request.max_live, others)
    except PortUnavailable:
        raise DreamError(f"cannot listen on {request.host}:{request.port}: the port is taken or not allowed; "
                         f"choose another --port") from None
    return 0


def offered_models(text, served):
    """{name: (ModelFiles, weights sha1)} of --models besides the served one. Named ones must be here and
    intact; of the 'downloaded' ones, one that is not intact is left out, with a line that says why."""
    import sys
    from ..models import MODEL_NAMES, check_present, named_model, sha1_of
    if text == "none":
        return {}
    named = text != "downloaded"
    names = [n.strip() for n in text.split(",") if n.strip()] if named else \
        [n for n in MODEL_NAMES if named_model(n).weights.is_file()]
    others = {}
    for name in dict.fromkeys(names):
        if name == served:
            continue
        try:
            model = named_model(name)
            check_present(model, verify_sha1=model.sha1 is not None)
        except DreamError as e:
            if named:
                raise DreamError(f"--models: {e}") from None
            print(f"dream: not offering {name}: {e}", file=sys.stderr)
            continue
        others[name] = (model, model.sha1 or sha1_of(model.weights))
    return others
