"""python -m dream video: a clip dreamed frame by frame along its optical flow, resumable, with its sound,
in this process or in chunks on a Dask cluster."""
import contextlib
import json
import os
import sys
import time
from fractions import Fraction
from pathlib import Path

from tqdm import tqdm

from ..cluster.batch import Model, cached_net
from ..engine.mask import load_mask
from ..errors import DreamError
from ..images import load_image
from ..objectives.expression import objective_from, signatures
from ..runs.budget import memory_budget
from ..runs.seeds import resolve_seed
from ..video.chains import Chain, chunks, dream_here, dream_on_cluster, fade_in_warm_ups
from ..video.clip import VideoDream
from ..video.keyframes import read_keyframes, targets_named
from .cluster_args import check_devices, cluster_client, placement, share_out
from .common import checked_model, say_tiles

RUN_FILE = "run.json"  # in the work folder: the run's parameters and seed, for a resume
DEFAULT_WARM_UP = 8  # frames; docs/cluster.md, "Video across workers", has the measurements


def build_parser():
    from .common import (DEFAULT_GUIDE_LAYER, DEFAULT_LAYER, MAX_COUNT, MAX_FEATHER, DefaultsFormatter,
                         OneLineParser, add_memory_args, add_model_args, add_octave_args, non_empty, non_negative,
                         positive)
    from .cluster_args import add_cluster_args
    p = OneLineParser(prog="python -m dream video", formatter_class=DefaultsFormatter, description=(
        "Dream a clip frame by frame: each frame starts from the previous frame's dream, moved along the "
        "optical flow, so the dream follows the motion instead of swimming. Keeps the frame rate, the "
        "size and the sound. A re-run resumes after the last finished frame."))
    p.add_argument("input", metavar="IN", help="a video file, or a folder of frames (sorted by name)")
    p.add_argument("-o", "--output", help="an .mp4, or a folder for the frames (default IN-dream.mp4)")
    p.add_argument("--overwrite", action="store_true",
                   help="start again: replace the output and the frames of an earlier run")
    a = p.add_argument_group("the dream of each frame (the notebook's parameters)")
    a.add_argument("--layer", type=non_empty("layer name"),
                   help=f"layer to maximise (default {DEFAULT_LAYER}, or {DEFAULT_GUIDE_LAYER} with --guide, for GoogLeNet; "
                        f"another --model's own; "
                        f"python -m dream --list-layers lists them)")
    add_octave_args(a, seed_help="seed of the jitter; each frame's comes from it and the frame's number "
                                 "(default: random, kept for a resume)")
    a.add_argument("--guide", metavar="IMAGE", help="guide image: dream every frame towards its features")
    a.add_argument("--exact-gradient", action="store_true",
                   help="clear Caffe's stale diffs before each backward (the notebook does not; see docs/faithfulness.md)")
    a.add_argument("--objective", metavar="EXPR", type=non_empty("objective"),
                   help=f"what to maximise instead of --layer, as for python -m dream: a sum of "
                        f"{signatures(['guide(layer) with --guide'])} (not enhance, which is for single photos)")
    a.add_argument("--mask", metavar="IMAGE", help="dream only where this image is bright, on every frame")
    a.add_argument("--mask-feather", type=non_negative(float, MAX_FEATHER), default=8.0, metavar="PX",
                   help="blur of the mask's edge, in pixels")
    add_video_args(p)
    c = add_cluster_args(p, None, "dream on a local cluster of this many worker processes, the clip cut into "
                                  "chunks (default: in this process, in one piece)")
    c.add_argument("--chunk-frames", type=positive(int, MAX_COUNT), metavar="N",
                   help="frames per chunk (default on a cluster: the clip shared out among the workers; a resume "
                        "keeps the earlier run's chunks)")
    c.add_argument("--warm-up", type=non_negative(int, MAX_COUNT), default=DEFAULT_WARM_UP, metavar="N",
                   help="frames each chunk but the first dreams before its own, fading them in over the chunk "
                        "before's last frames (see docs/cluster.md)")
    add_memory_args(p)
    add_model_args(p)
    return p


def add_video_args(p):
    """How each frame starts from the previous one's dream, the keyframes, and the output."""
    from .common import MAX_COUNT, number, positive
    from ..video.flow import FLOWS
    v = p.add_argument_group("video")
    v.add_argument("--iters-next", "--iter-n-next", type=positive(int, MAX_COUNT), default=5,
                   help="steps per octave for the frames after the first (which gets --iters)")
    carried = ", ".join(name for name, flow in FLOWS.items() if flow.amount == "decay")
    blended = ", ".join(name for name, flow in FLOWS.items() if flow.amount == "blend")
    v.add_argument("--flow", choices=FLOWS, default="dis",
                   help="; ".join(f"{flow.name}: {flow.help}" for flow in FLOWS.values()))
    v.add_argument("--decay", type=number(float, 0, False, 1), default=0.9,
                   help=f"with --flow {carried}: share of the previous frame's dream carried into the next")
    v.add_argument("--blend", type=number(float, 0, False, 1), default=0.5,
                   help=f"with --flow {blended}: share of the previous dream in each frame's start (0: every "
                        "frame on its own)")
    v.add_argument("--keyframes", metavar="FILE",
                   help="a CSV table of frame -> layer or objective, step_size, iters_next, blend, decay: "
                        "numbers interpolated between keyframes, a layer or objective changing at its keyframe "
                        "(see docs/video.md)")
    v.add_argument("--fps", type=positive(float, 1000), help="frame rate of a folder of frames (default 25)")
    v.add_argument("--keep-frames", action="store_true",
                   help="keep the folder of dreamed PNG frames beside the .mp4 once it is written")


def run(request):
    from ..video.io import VideoSource
    source = VideoSource(request.input, fps=Fraction(request.fps).limit_denominator(1001) if request.fps else None)
    output, folder = checked_output(request, source)
    first, targets, table, guide_img = checked_targets(request)
    mask = load_mask(request.mask, source.height, source.width, request.mask_feather) if request.mask else None
    model, weights_sha1 = checked_model(request)
    where = placement(request)
    cluster = where.on_cluster
    threads, share = share_out(where) if cluster else (None, None)  # each local worker's cores and memory
    check_devices(where)
    dask_model = Model(str(model.prototxt), str(model.weights), where.gpu, where.gpus, model.mean)
    net = cached_net(dask_model)
    budget = share if cluster else memory_budget(request.max_memory, gpu=where.gpu)  # here: what is left beside the net
    defaults = dict({"layer": None, "objective": None, first[0]: first[1]}, step_size=request.step_size,
                    iters_next=request.iters_next, blend=request.blend, decay=request.decay)
    clip = VideoDream(model=dask_model,
                      height=source.height, width=source.width, first=first, targets=targets,
                      table=table, defaults=defaults, iters=request.iters, octaves=request.octaves,
                      octave_scale=request.octave_scale, jitter=request.jitter, exact_gradient=request.exact_gradient,
                      flow=request.flow, guide_img=guide_img, mask=mask, max_memory=budget,
                      tile_margin=request.tile_margin)
    say_tiles(clip.prepare(net)[first])  # every target checked here
    started = time.perf_counter()
    with cluster_client(where, threads) if cluster else contextlib.nullcontext((None, None)) as (client, place):
        chunk = chunk_length(request, folder, source.count, client)
        params = video_record(request, model, weights_sha1, source, first, chunk)
        params["seed"] = work_folder(folder, params, request.overwrite)  # once everything checked out
        clip = clip.for_run(params["seed"], params)
        spans = chunks(source.count, chunk, request.warm_up)
        counts = dream_chunks(clip, spans, source, folder, client, place, chunk)
    fade_in_warm_ups(folder, spans)
    seconds = time.perf_counter() - started
    if output.suffix:
        write_video(folder, output, source, keep=request.keep_frames)
    dreamed = counts["dreamed"]
    per_frame = f", {seconds / dreamed:.1f} s per frame" if dreamed else ""
    warm = f" and {counts['warm_up']} warm-up frames" if counts["warm_up"] else ""
    print(f"dream: wrote {output} ({dreamed} frames{warm} dreamed{per_frame}; seed {params['seed']})",
          file=sys.stderr)
    return 0


def checked_targets(request):
    """(the command line's target, {every target the clip dreams: where it was given, for errors ("" or
    "--keyframes F: ")}, the keyframes' table, the guide image), each objective's syntax and names checked
    before any work."""
    guide_img = load_image(Path(request.guide)) if request.guide else None
    try:
        table = read_keyframes(request.keyframes) if request.keyframes else {}
    except DreamError as e:
        raise DreamError(f"--{e}") from None
    first = first_target(request)
    targets = {target: "" if target == first else f"--keyframes {request.keyframes}: "
               for target in targets_named(table, first)}
    for (kind, text), where in targets.items():
        if kind == "objective":
            checked_objective(text, guide_img, where)
    return first, targets, table, guide_img


def dream_chunks(clip, spans, source, folder, client, place, chunk):
    """Dream every chunk (here, or on the cluster's workers); {"dreamed": n, "warm_up": n} frames."""
    chains = [Chain(span, source, folder) for span in spans]
    counts = dict(dreamed=0, warm_up=0)
    how = f" ({len(chains)} chunks on {place})" if client else f" ({len(chains)} chunks)" if chunk else ""
    with tqdm(total=source.count, unit="frame", desc=f"dreaming{how}", dynamic_ncols=True) as bar:
        def on_dreamed(t, own, data):
            counts["dreamed" if own else "warm_up"] += 1
            bar.update(own)
        if client:
            dream_on_cluster(client, clip, chains, lambda t, own: bar.update(own), on_dreamed)
        else:
            dream_here(clip, chains, lambda t, own: bar.update(own), on_dreamed)
    return counts


def chunk_length(request, folder, count, client):
    """Frames per chunk, None for the clip in one piece: as asked; else as the run being resumed was
    cut (other chunks would give other frames); else, on a cluster, the clip shared out among its workers."""
    from ..cluster.client import worker_count
    chunk = request.chunk_frames
    if chunk is None and not request.overwrite and (recorded := recorded_run(folder)) is not None:
        return recorded.get("chunk_frames")
    if chunk is None and client is not None:
        chunk = -(-count // max(worker_count(client), 1))
    return chunk if chunk and chunk < count else None


def checked_output(request, source):
    """OUT (an .mp4, or a folder) and the work folder for its frames, after every check on them."""
    from ..video.io import check_even
    output = Path(request.output or f"{Path(request.input).stem}-dream.mp4")
    as_video = output.suffix.lower() == ".mp4"
    if output.suffix and not as_video:
        raise DreamError(f"output {output}: write an .mp4, or name a folder (no extension) for the frames")
    if not output.parent.resolve().is_dir():
        raise DreamError(f"output folder does not exist: {output.parent}")
    if output.resolve() == Path(request.input).resolve():
        raise DreamError(f"output {output} is the input; choose another -o")
    if as_video:
        check_even(source.width, source.height, f"{request.input}")
    if as_video and output.exists() and not request.overwrite:
        raise DreamError(f"output {output} exists; choose another -o, or pass --overwrite")
    folder = output.with_name(output.name + ".frames") if as_video else output
    if folder.exists() and not folder.is_dir():
        raise DreamError(f"{folder} is a file; the frames need a folder there")
    return output, folder


def first_target(request):
    """What the command line dreams: ("layer", name) or ("objective", expression)."""
    from .common import default_layer
    if request.objective:
        if request.layer:
            raise DreamError("--objective names its own layers; leave out --layer")
        return ("objective", request.objective)
    return ("layer", request.layer or default_layer(request))


def checked_objective(text, guide_img, where):
    """An objective's expression checked (syntax, names, guide image) before any frame; where: its source."""
    from .enhance import is_enhance
    if is_enhance(text):
        raise DreamError(f"{where}--objective enhance is for single photos (one whole image, no octaves or "
                         f"jitter); use layers, channels, neurons or guide()")
    try:
        objective_from(text, guide_img)
    except DreamError as e:
        raise DreamError(f"{where}{e}") from None


def video_record(request, model, weights_sha1, source, first, chunk):
    """The run's parameters (dream.runs.metadata.video_params): recorded in the work folder and every
    frame, compared on a resume."""
    from ..engine.parameters import DreamParams
    from ..runs.metadata import video_params
    from ..video.flow import FLOWS
    amount = FLOWS[request.flow].amount
    return video_params(DreamParams.of(request), model, weights_sha1, request.input, source.files is None, first,
                        objective=request.objective, iters_next=request.iters_next, flow=request.flow,
                        amount=(amount, getattr(request, amount, None)), seed=request.seed,
                        tile_margin=request.tile_margin, keyframes=request.keyframes, guide=request.guide,
                        mask=request.mask, mask_feather=request.mask_feather, chunk=chunk, warm_up=request.warm_up)


def work_folder(folder, params, overwrite):
    """Make or reopen the work folder; returns the seed (the earlier run's, on a resume)."""
    from ..runs.resume import earlier_run
    run_file = folder / RUN_FILE
    if overwrite and folder.is_dir():
        for stale in [run_file, *work_files(folder)]:
            stale.unlink(missing_ok=True)
    recorded = recorded_run(folder)
    found = recorded is not None or (folder.is_dir() and any(work_files(folder)))
    if earlier_run(folder, found, recorded, params, overwrite=False) is not None:  # overwrite: cleared above
        print(f"dream: resuming from {folder}", file=sys.stderr)
        return recorded["seed"]
    folder.mkdir(exist_ok=True)
    seed = resolve_seed(params["seed"])
    tmp = run_file.with_name(RUN_FILE + ".part")
    tmp.write_text(json.dumps(dict(params, seed=seed), sort_keys=True))
    os.replace(tmp, run_file)
    return seed


def work_files(folder):
    """The frames (and chunks' warm-up frames) a render keeps in its work folder."""
    from ..video.frames import WORK_FILES
    return [path for pattern in WORK_FILES for path in folder.glob(pattern)]


def recorded_run(folder):
    """The parameters of the run whose frames are in folder, or None if there is none."""
    run_file = folder / RUN_FILE
    if not run_file.exists():
        return None
    try:
        return json.loads(run_file.read_text())
    except (OSError, ValueError) as e:
        raise DreamError(f"cannot resume from {run_file} ({e}); pass --overwrite to start again") from None


def write_video(folder, output, source, keep):
    """The finished frames as an mp4 with the source's sound; then the work folder goes, unless kept."""
    from ..video.io import VideoSource, VideoWriter
    frames = VideoSource(folder)
    with VideoWriter(output, source.width, source.height, source.fps,
                     audio_from=source.path if source.has_audio else None) as writer:
        for frame in frames.frames():
            writer.write(frame)
    if not keep:
        for done in [folder / RUN_FILE, *work_files(folder)]:
            done.unlink()
        try:
            folder.rmdir()
        except OSError:  # something else was put there: leave it
            pass
