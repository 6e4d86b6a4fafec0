"""python -m dream video: a clip dreamed frame by frame along its optical flow, resumable, with its sound."""
import json
import os
import secrets
import sys
import time
from fractions import Fraction
from pathlib import Path

import numpy as np
from tqdm import tqdm

from ..errors import DreamError

RUN_FILE = "run.json"  # in the work folder: the run's parameters and seed, for a resume
NAMELESS_FRAME = "[0-9]" * 6 + ".png"


def build_parser():
    from .common import (DEFAULT_LAYER, MAX_COUNT, MAX_FEATHER, DefaultsFormatter, OneLineParser, add_memory_args,
                         add_model_args, add_octave_args, non_empty, non_negative, number, positive)
    from ..video import FLOW_MODES
    p = OneLineParser(prog="python -m dream video", formatter_class=DefaultsFormatter, description=(
        "Dream a clip frame by frame: each frame starts from the previous frame's dream, moved along the "
        "optical flow, so the dream follows the motion instead of swimming. Keeps the frame rate, the "
        "size and the sound. A re-run resumes after the last finished frame."))
    p.add_argument("input", metavar="IN", help="a video file, or a folder of frames (sorted by name)")
    p.add_argument("-o", "--output", help="an .mp4, or a folder for the frames (default IN-dream.mp4)")
    p.add_argument("--overwrite", action="store_true",
                   help="start again: replace the output and the frames of an earlier run")
    a = p.add_argument_group("the dream of each frame (the notebook's parameters)")
    a.add_argument("--layer", type=non_empty("layer name"), default=DEFAULT_LAYER,
                   help="layer to maximise (python -m dream --list-layers lists them)")
    add_octave_args(a, seed_help="seed of the jitter; each frame's comes from it and the frame's number "
                                 "(default: random, kept for a resume)")
    a.add_argument("--objective", metavar="EXPR", type=non_empty("objective"),
                   help="what to maximise instead of --layer, as for python -m dream (not guide() or enhance)")
    a.add_argument("--mask", metavar="IMAGE", help="dream only where this image is bright, on every frame")
    a.add_argument("--mask-feather", type=non_negative(float, MAX_FEATHER), default=8.0, metavar="PX",
                   help="blur of the mask's edge, in pixels")
    v = p.add_argument_group("video")
    v.add_argument("--iters-next", "--iter-n-next", type=positive(int, MAX_COUNT), default=5,
                   help="steps per octave for the frames after the first (which gets --iters)")
    v.add_argument("--flow", choices=FLOW_MODES, default="dis",
                   help="dis: start from the previous dream moved along OpenCV's DIS optical flow; "
                        "none: blend the previous dream into the frame, as DeepDreamVideo does")
    v.add_argument("--decay", type=number(float, 0, False, 1), default=0.9,
                   help="with --flow dis: share of the previous frame's dream carried into the next")
    v.add_argument("--blend", type=number(float, 0, False, 1), default=0.5,
                   help="with --flow none: share of the previous dream in each frame's start (0: every "
                        "frame on its own)")
    v.add_argument("--keyframes", metavar="FILE",
                   help="a CSV table of frame -> layer, step_size, iters_next, blend, decay: numbers "
                        "interpolated between keyframes, a layer changing at its keyframe (see README)")
    v.add_argument("--fps", type=positive(float, 1000), help="frame rate of a folder of frames (default 25)")
    v.add_argument("--keep-frames", action="store_true",
                   help="keep the folder of dreamed PNG frames beside the .mp4 once it is written")
    add_memory_args(p)
    add_model_args(p)
    return p


def run(args):
    from .common import checked_model, say_tiles
    from ..models import sha1_of
    from ..video_io import VideoSource, check_even

    source = VideoSource(args.input, fps=Fraction(args.fps).limit_denominator(1001) if args.fps else None)
    output = Path(args.output or f"{Path(args.input).stem}-dream.mp4")
    as_video = output.suffix.lower() == ".mp4"
    if output.suffix and not as_video:
        raise DreamError(f"output {output}: write an .mp4, or name a folder (no extension) for the frames")
    if not output.parent.resolve().is_dir():
        raise DreamError(f"output folder does not exist: {output.parent}")
    if output.resolve() == Path(args.input).resolve():
        raise DreamError(f"output {output} is the input; choose another -o")
    if as_video:
        check_even(source.width, source.height, f"{args.input}")
    if as_video and output.exists() and not args.overwrite:
        raise DreamError(f"output {output} exists; choose another -o, or pass --overwrite")
    folder = output.with_name(output.name + ".frames") if as_video else output
    if folder.exists() and not folder.is_dir():
        raise DreamError(f"{folder} is a file; the frames need a folder there")

    from ..expression import parse_objective
    from ..keyframes import layers_named, read_keyframes, schedule_at
    from ..mask import load_mask
    table = read_keyframes(args.keyframes) if args.keyframes else {}
    objective = None
    if args.objective:
        if args.objective == "enhance" or "guide(" in args.objective:
            raise DreamError("--objective: enhance and guide() are for single photos; use layers, channels, neurons")
        objective = parse_objective(args.objective, {})  # syntax and names now, before any work
        if table.get("layer"):
            raise DreamError("--keyframes: a 'layer' column goes with --layer, not --objective")
    mask = load_mask(args.mask, source.height, source.width, args.mask_feather) if args.mask else None
    model, weights_sha1 = checked_model(args)
    params = dict(model=model.name, weights_sha1=weights_sha1, layer=None if objective else args.layer,
                  octaves=args.octaves,
                  octave_scale=args.octave_scale, iters=args.iters, iters_next=args.iters_next,
                  step_size=args.step_size, jitter=args.jitter, flow=args.flow,
                  decay=args.decay if args.flow == "dis" else None,
                  blend=args.blend if args.flow == "none" else None, seed=args.seed,
                  input=Path(args.input).name, input_sha1=sha1_of(Path(args.input)) if source.files is None else None,
                  tile_margin=args.tile_margin,
                  keyframes_sha1=sha1_of(Path(args.keyframes)) if args.keyframes else None,
                  objective=args.objective, mask_sha1=sha1_of(Path(args.mask)) if args.mask else None,
                  mask_feather=args.mask_feather if args.mask else None)

    from ..net import load_net
    from ..octaves import check_dream_run, deepdream
    from ..video import dream_frames
    net = load_net(model.prototxt, model.weights, gpu=args.gpu)
    blank = np.zeros((source.height, source.width, 3), np.float32)
    plans = {}  # every layer checked (name, size, memory) before the first frame
    first_layer = None if objective else args.layer
    for layer in layers_named(table, first_layer):
        plans[layer] = check_dream_run(net, blank, args.octaves, args.octave_scale,
                                       objective.layers if objective else [layer], objective, mask,
                                       args.max_memory, args.tile_margin)
    say_tiles(plans[first_layer], args.max_memory)
    params["seed"] = work_folder(folder, params, args.overwrite)  # only once everything checked out
    defaults = dict(layer=first_layer, step_size=args.step_size, iters_next=args.iters_next, blend=args.blend,
                    decay=args.decay)

    def schedule(t):
        frame = schedule_at(table, t, defaults)
        frame["iters"] = args.iters if t == 0 else frame.pop("iters_next")
        frame.pop("iters_next", None)
        return frame

    def dream_one(image, rng, frame):
        extra = dict(objective=objective) if objective else dict(end=frame["layer"])
        return deepdream(net, image, iter_n=frame["iters"], octave_n=args.octaves, octave_scale=args.octave_scale,
                         step_size=frame["step_size"], jitter=args.jitter, rng=rng, mask=mask,
                         plans=plans[frame["layer"]], **extra)

    started, dreamed = time.perf_counter(), 0
    with tqdm(total=source.count, unit="frame", desc="dreaming", dynamic_ncols=True) as bar:
        for _, done_before in dream_frames(source.frames(), folder, dream_one, params["seed"], schedule,
                                           args.flow, params, mask):
            dreamed += not done_before
            bar.update(1)
    seconds = time.perf_counter() - started
    if as_video:
        write_video(folder, output, source, keep=args.keep_frames)
    per_frame = f", {seconds / dreamed:.1f} s per frame" if dreamed else ""
    print(f"dream: wrote {output} ({dreamed} frames dreamed{per_frame}; seed {params['seed']})", file=sys.stderr)
    return 0


def work_folder(folder, params, overwrite):
    """Make or reopen the work folder; returns the seed (the earlier run's, on a resume)."""
    from .runparams import same_run
    run_file = folder / RUN_FILE
    if overwrite and folder.is_dir():
        for stale in [run_file, *folder.glob(NAMELESS_FRAME)]:
            stale.unlink(missing_ok=True)
    if run_file.exists():
        try:
            recorded = json.loads(run_file.read_text())
        except (OSError, ValueError) as e:
            raise DreamError(f"cannot resume from {run_file} ({e}); pass --overwrite to start again") from None
        if not same_run(recorded, params):
            raise DreamError(f"{folder} holds frames of a different run; choose another -o, or pass --overwrite")
        print(f"dream: resuming from {folder}", file=sys.stderr)
        return recorded["seed"]
    if folder.is_dir() and any(folder.glob(NAMELESS_FRAME)):
        raise DreamError(f"{folder} holds frames dream did not record; choose another -o, or pass --overwrite")
    folder.mkdir(exist_ok=True)
    seed = params["seed"] if params["seed"] is not None else secrets.randbelow(2**31)
    tmp = run_file.with_name(RUN_FILE + ".part")
    tmp.write_text(json.dumps(dict(params, seed=seed), sort_keys=True))
    os.replace(tmp, run_file)
    return seed


def write_video(folder, output, source, keep):
    """The finished frames as an mp4 with the source's sound; then the work folder goes, unless kept."""
    from ..video_io import VideoSource, VideoWriter
    frames = VideoSource(folder)
    with VideoWriter(output, source.width, source.height, source.fps,
                     audio_from=source.path if source.has_audio else None) as writer:
        for frame in frames.frames():
            writer.write(frame)
    if not keep:
        for done in [folder / RUN_FILE, *folder.glob(NAMELESS_FRAME)]:
            done.unlink()
        try:
            folder.rmdir()
        except OSError:  # something else was put there: leave it
            pass
