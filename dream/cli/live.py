"""python -m dream live SOURCE: a camera, a stream or a file dreamed as it moves, for installations and
streams; the dreamed frames recorded, streamed to a player, or both."""
import sys
import time

from ..errors import DreamError

DEFAULT_SECONDS = None  # run until the source ends or Ctrl+C


def build_parser():
    from .common import (DefaultsFormatter, OneLineParser, add_memory_args, add_model_args, non_empty, number,
                         seed_type)
    from ..video.live import LIVE, LIVE_LAYER
    p = OneLineParser(prog="python -m dream live", formatter_class=DefaultsFormatter, description=(
        "Dream a moving picture as it comes: each frame starts from the previous dream moved along the motion, "
        "at a small working size, and the newest frame is always the one dreamed (frames that come while one "
        "is dreamed are skipped, so it never falls behind). Ctrl+C ends it; the recording is kept. "
        "Needs the video extra: scripts/setup.sh video."))
    p.add_argument("source", metavar="SOURCE",
                   help="a camera (0, 1, ... or /dev/videoN, through Video4Linux), a stream URL FFmpeg opens "
                        "(rtsp://, http://, udp://, tcp://, srt://), or a video file, played at its own pace")
    p.add_argument("-o", "--output", action="append", required=True, metavar="OUT",
                   help="where the dreamed frames go, repeatable: a recording (.mp4, .mkv, .mov), a stream a "
                        "player opens (a URL, e.g. udp://127.0.0.1:1234: ffplay or VLC plays it), or a folder of "
                        "PNGs (each records its source frame)")
    p.add_argument("--overwrite", action="store_true", help="replace a recording or PNGs already there")
    p.add_argument("--seconds", type=number(float, 0, True), default=DEFAULT_SECONDS,
                   help="stop after this many seconds (default: when the source ends, or Ctrl+C)")
    a = p.add_argument_group("the dream (trade quality for speed)")
    a.add_argument("--layer", type=non_empty("layer name"),
                   help=f"layer to maximise (default {LIVE_LAYER} for GoogLeNet, another --model's shallow one; "
                        f"python -m dream --list-layers lists them)")
    for parameter in LIVE:
        a.add_argument(parameter.flag, type=number(parameter.kind, parameter.low, parameter.strict, parameter.high),
                       default=parameter.default, help=parameter.help)
    a.add_argument("--no-detail", dest="detail", action="store_false",
                   help="scale the dream itself up to the source's size, instead of adding the dream's change "
                        "to the source (which keeps the source's own fine detail)")
    a.add_argument("--seed", type=seed_type, default=0, help="seed of the jitter; frame k's comes from it and k")
    add_memory_args(p)
    add_model_args(p)
    return p


def run(request):
    from ..runs.budget import memory_budget
    from ..video.live import LiveDream, LiveSettings, working_size
    from ..video.live_io import LiveOutput, LiveSource
    from .common import checked_model
    check_outputs(request.output, request.overwrite)
    model, _ = checked_model(request)
    source = LiveSource(request.source)
    try:
        net = model.load(request.gpu)
        settings = LiveSettings(layer=request.layer or model.guide_layer, strength=request.strength, octaves=request.octaves,
                                steps=request.steps, width=request.width, keep=request.keep, detail=request.detail)
        live = LiveDream(net, settings, memory_budget(request.max_memory, gpu=request.gpu), request.seed)
        live.prepared(*working_size(source.height, source.width, settings.width))  # a bad layer: before any frame
        outputs = [LiveOutput(out, source.width, source.height) for out in request.output]
        print(f"dream: dreaming {request.source} ({source.width}x{source.height}) at "
              f"{'x'.join(map(str, working_size(source.height, source.width, settings.width)[::-1]))}; "
              f"Ctrl+C stops", file=sys.stderr)
        dream_live(source.start(), live, outputs, request.seconds)
    finally:
        source.close()
    return 0


def check_outputs(outputs, overwrite):
    """DreamError for an output dream cannot write, or that would replace something, unless --overwrite."""
    from pathlib import Path
    from ..video.live_io import RECORDING_SUFFIXES, is_url
    for out in outputs:
        path = Path(out)
        if is_url(out):
            continue
        if path.suffix and path.suffix.lower() not in RECORDING_SUFFIXES and not path.is_dir():
            raise DreamError(f"{out}: a recording is {', '.join(sorted(RECORDING_SUFFIXES))}; a folder of PNGs "
                             f"has no suffix; a stream is a URL")
        if overwrite:
            continue
        if path.is_file() or (path.is_dir() and any(path.glob("*.png"))):
            raise DreamError(f"{out} is already there; --overwrite replaces it")


def dream_live(source, live, outputs, seconds):
    """Dream the source's frames into the outputs until it ends, `seconds` pass, or Ctrl+C (or SIGTERM), which
    end the run as its end is meant: the frame being dreamed is finished and written, the outputs closed."""
    import contextlib
    import signal
    import threading
    from dataclasses import asdict
    from ..video.live import RateMeter
    meter, began, stop = RateMeter(), time.monotonic(), threading.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        with contextlib.ExitStack() as stack:
            for out in outputs:
                stack.enter_context(out)
            while not stop.is_set() and (seconds is None or time.monotonic() - began < seconds):
                taken = source.next_frame(stop)
                if taken is None:
                    break
                index, frame, arrived = taken
                dreamed = live.dream(frame)
                now = time.monotonic()
                meter.add(now - arrived, now)
                record = dict(asdict(live.settings), source_frame=index, frame=live.count - 1, seed=live.seed)
                for out in outputs:
                    out.write(dreamed, now - began, record)
                print(f"\rdream: {live.count} frames, {meter.words()}, {source.dropped} source frames skipped",
                      end="", file=sys.stderr, flush=True)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        print(file=sys.stderr)
    if source.end_note:
        print(f"dream: {source.end_note}; taken as the end of the source", file=sys.stderr)
    why = "stopped" if stop.is_set() else "done"
    print(f"dream: {why}: {live.count} frames dreamed in {time.monotonic() - began:.1f} s; "
          f"{source.dropped} source frames skipped to keep up", file=sys.stderr)
