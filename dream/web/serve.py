"""Serving the web app: what `python -m dream serve` starts, the one thing of the web app's that the
command line imports (tests/test_layout.py names that arrow). Its module imports nothing of Gradio's
until require_gradio has said whether it can."""
import signal
import sys
import tempfile


class PortUnavailable(OSError):
    """The app could not listen where it was asked to."""


def require_gradio():
    """DreamError unless Gradio can be imported (before dream.web, which imports it)."""
    from ..errors import DreamError
    if sys.version_info < (3, 10):
        raise DreamError(f"the web app needs Python 3.10 or newer (Gradio 5 does); this is Python "
                         f"{sys.version_info.major}.{sys.version_info.minor}")
    try:
        import gradio  # noqa: F401
    except ImportError:
        raise DreamError("the web app needs Gradio: pip install 'dream[web]' (in a checkout: "
                         "scripts/setup.sh web)") from None


def serve(model, weights_sha1, gpu, pictures_cache, host, port, logins, max_upload, max_memory, tile_margin,
          max_waiting, max_live=2, others=None):
    """Load the net, make the layer pictures, and serve the app until Ctrl+C or SIGTERM; the uploads and
    results go with it. others: {name: (ModelFiles, weights sha1)} the Dream tab's model picker also
    offers. max_memory: each dream's budget (None: what is available when it starts).
    PortUnavailable if it cannot listen on host:port."""
    require_gradio()
    from .app import CSS, build_app, serve_environment
    from .pictures import layer_pictures
    with tempfile.TemporaryDirectory(prefix="dream-serve-") as work_dir:
        serve_environment(work_dir)
        net = model.load(gpu)
        print("dream: making the layer pictures (once per model)...", file=sys.stderr)
        pictures = layer_pictures(net, model, weights_sha1, pictures_cache)
        app = build_app(model, weights_sha1, net, pictures, work_dir, max_memory, tile_margin, max_waiting,
                        max_live, others, pictures_cache)
        try:
            app.launch(server_name=host, server_port=port, share=False, quiet=True, auth=logins,
                       max_file_size=int(max_upload), ssr_mode=False, mcp_server=False, enable_monitoring=False,
                       footer_links=[], prevent_thread_lock=True, show_error=True, css=CSS)
        except OSError as e:  # Gradio's words name its own settings: the front end says it in its own
            raise PortUnavailable(str(e)) from None
        print(f"dream: serving on http://{host}:{port} (Ctrl+C stops it)", file=sys.stderr, flush=True)
        signal.signal(signal.SIGTERM, _interrupt)  # a service manager's stop cleans up as Ctrl+C does
        try:
            app.block_thread()  # returns on Ctrl+C
        finally:
            app.close()
    print("dream: stopped; the uploads and results are deleted", file=sys.stderr)


def _interrupt(signum, frame):
    raise KeyboardInterrupt
