"""python -m dream serve: the web app on this machine (127.0.0.1 unless told otherwise; elsewhere only
behind a login, dream.cli.access)."""
import signal
import sys
import tempfile
from pathlib import Path

from ..errors import DreamError

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
    add_access_args(p)
    add_memory_args(p)
    add_model_args(p)
    return p


def require_gradio():
    if sys.version_info < (3, 10):
        raise DreamError(f"the web app needs Python 3.10 or newer (Gradio 5 does); this is Python "
                         f"{sys.version_info.major}.{sys.version_info.minor}")
    try:
        import gradio  # noqa: F401
    except ImportError:
        raise DreamError("the web app needs Gradio: pip install 'dream[web]' (in a checkout: "
                         "scripts/setup.sh web)") from None


def run(args):
    from .access import credentials
    from .common import checked_model
    from ..network.net import load_net
    require_gradio()  # before dream.web, which imports it
    from ..web.app import build_app, serve_environment
    from ..web.pictures import layer_pictures
    if not 0 < args.port < 65536:
        raise DreamError(f"--port {args.port} is not a port (1 to 65535)")
    logins = credentials(args)  # before the net loads: a refusal takes no time
    model, weights_sha1 = checked_model(args)
    with tempfile.TemporaryDirectory(prefix="dream-serve-") as work_dir:
        serve_environment(work_dir)
        net = load_net(model.prototxt, model.weights, gpu=args.gpu)
        print("dream: making the layer pictures (once per model)...", file=sys.stderr)
        pictures = layer_pictures(net, model.name, weights_sha1, args.cache)
        app = build_app(model, weights_sha1, net, pictures, work_dir, args.max_memory, args.tile_margin,
                        args.max_waiting)
        try:
            app.launch(server_name=args.host, server_port=args.port, share=False, quiet=True, auth=logins,
                       max_file_size=int(args.max_upload), ssr_mode=False, mcp_server=False, enable_monitoring=False,
                       footer_links=[], prevent_thread_lock=True, show_error=True)
        except OSError:  # Gradio's words name its own settings; ours name the flags
            raise DreamError(f"cannot listen on {args.host}:{args.port}: the port is taken or not allowed; "
                             f"choose another --port") from None
        print(f"dream: serving on http://{args.host}:{args.port} (Ctrl+C stops it)", file=sys.stderr, flush=True)
        signal.signal(signal.SIGTERM, _interrupt)  # a service manager's stop cleans up as Ctrl+C does
        try:
            app.block_thread()  # returns on Ctrl+C
        finally:
            app.close()
    print("dream: stopped; the uploads and results are deleted", file=sys.stderr)
    return 0


def _interrupt(signum, frame):
    raise KeyboardInterrupt
