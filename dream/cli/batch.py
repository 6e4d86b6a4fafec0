"""python -m dream batch: many photos, or a sweep over parameters, dreamed on a Dask cluster."""
import itertools
import secrets
import sys
import time
from pathlib import Path
from types import SimpleNamespace

from tqdm import tqdm

from ..network.blas import cores
from ..errors import DreamError
from .cluster_args import add_cluster_args

# The flags a sweep can go over (comma lists): job parameter -> its tag in the output's file name
SWEEPS = {"layer": "layer", "octaves": "octaves", "octave_scale": "scale", "iters": "iters",
          "step_size": "step", "jitter": "jitter"}


def listed(parse):
    """An argparse type: a comma-separated list of values, each checked by `parse`, repeats dropped."""
    def parse_list(text):
        values = [parse(part.strip()) for part in text.split(",")]
        return list(dict.fromkeys(values))
    return parse_list


def build_parser():
    from .common import (DEFAULT_LAYER, DEFAULTS, MAX_COUNT, MAX_PIXELS_SHIFT, MAX_STEP, DefaultsFormatter,
                         OneLineParser, add_memory_args, add_model_args, non_empty, non_negative, octave_scale,
                         positive, seed_type)
    p = OneLineParser(prog="python -m dream batch", formatter_class=DefaultsFormatter, description=(
        "Dream many photos, or sweep parameters (comma lists: --layer a,b --octaves 3,4 makes 4 jobs a photo), "
        "on a Dask cluster: local worker processes by default, or an existing cluster (--scheduler). One "
        "output per job, with its parameters in its metadata as python -m dream records them; a re-run "
        "skips the jobs already done."))
    p.add_argument("inputs", nargs="+", metavar="INPUT", help="photos, or folders of photos")
    p.add_argument("-o", "--output", default="dreams", help="folder for the outputs (made if missing)")
    p.add_argument("--format", choices=["jpg", "png"], default="jpg", help="the outputs' format")
    p.add_argument("--overwrite", action="store_true", help="replace outputs of other runs in the folder")
    a = p.add_argument_group("the dream (comma lists sweep)")
    a.add_argument("--layer", type=listed(non_empty("layer name")), default=[DEFAULT_LAYER],
                   help="layers to maximise (python -m dream --list-layers)")
    a.add_argument("--octaves", type=listed(positive(int, MAX_COUNT)), default=[DEFAULTS["octaves"]],
                   help="numbers of scales")
    a.add_argument("--octave-scale", type=listed(octave_scale), default=[DEFAULTS["octave_scale"]],
                   help="size ratios between octaves")
    a.add_argument("--iters", type=listed(positive(int, MAX_COUNT)), default=[DEFAULTS["iters"]],
                   help="steps per octave")
    a.add_argument("--step-size", type=listed(positive(float, MAX_STEP)), default=[DEFAULTS["step_size"]],
                   help="normalised step sizes")
    a.add_argument("--jitter", type=listed(non_negative(int, MAX_PIXELS_SHIFT)), default=[DEFAULTS["jitter"]],
                   help="random shifts in pixels")
    a.add_argument("--seed", type=seed_type,
                   help="jitter seed of every job (default: the earlier run's in the folder, else random)")
    a.add_argument("--exact-gradient", action="store_true",
                   help="clear Caffe's stale diffs before each backward (the notebook does not; see README)")
    add_cluster_args(p, None, f"worker processes of the local cluster (default: one a core, {cores()}, or one a "
                              "GPU with --gpus)")
    add_memory_args(p)
    add_model_args(p)
    return p


def photos(inputs):
    """Every input photo: files as given, folders' images sorted by name; DreamError if none or missing."""
    from ..video.io import FRAME_SUFFIXES
    found = []
    for given in map(Path, inputs):
        if given.is_dir():
            inside = sorted(f for f in given.iterdir() if f.suffix.lower() in FRAME_SUFFIXES and f.is_file())
            if not inside:
                raise DreamError(f"no photos in {given} (looked for {', '.join(sorted(FRAME_SUFFIXES))})")
            found += inside
        elif given.is_file():
            found.append(given)
        else:
            raise DreamError(f"input not found: {given}")
    stems = {}
    for photo in found:
        if photo.stem in stems and stems[photo.stem] != photo.resolve():
            raise DreamError(f"two inputs are named {photo.stem}: {stems[photo.stem]} and {photo}; their outputs "
                             f"would collide")
        stems[photo.stem] = photo.resolve()
    return list(dict.fromkeys(found))


def sweep(args):
    """Each parameter set of the sweep, as a dict of SWEEPS' keys."""
    axes = {key: getattr(args, key) for key in SWEEPS}
    return [dict(zip(axes, values)) for values in itertools.product(*axes.values())]


def output_name(photo, params, swept, fmt):
    """photo-dream.jpg, or with what the sweep varies: photo.layer=inception_4c-output.octaves=3.jpg."""
    tags = "".join(f".{SWEEPS[k]}={str(params[k]).replace('/', '-')}" for k in SWEEPS if k in swept)
    return f"{photo.stem}{tags or '-dream'}.{fmt}"


def run(args):
    from .cluster_args import check_devices, cluster_client, on_cluster, share_out
    from .common import checked_model
    from ..runs.metadata import same_run, run_params
    from ..cluster.batch import Job, Model, run_jobs
    from ..cluster.client import worker_count
    from ..images import read_metadata, write_atomically
    from ..network.net import check_end, load_net

    if args.workers is None and not args.gpus:
        args.workers = cores()
    on_cluster(args)  # the flags checked; with --gpus, one worker a GPU unless --workers says otherwise
    check_devices(args)
    inputs = photos(args.inputs)
    out = Path(args.output)
    if out.exists() and not out.is_dir():
        raise DreamError(f"output {out} is a file; -o names a folder")
    if not out.parent.resolve().is_dir():
        raise DreamError(f"output folder's parent does not exist: {out.parent}")
    model, weights_sha1 = checked_model(args)
    net = load_net(model.prototxt, model.weights)  # the layers checked here, before any job
    for layer in args.layer:
        check_end(net, layer)
    del net
    sets = sweep(args)
    swept = {k for k in SWEEPS if len(getattr(args, k)) > 1}

    def metadata(photo, params, seed):
        ns = SimpleNamespace(**params, exact_gradient=args.exact_gradient, objective=None, frames=None,
                             tile_margin=args.tile_margin)
        return run_params(ns, model, weights_sha1, photo, None, params["layer"], seed)

    jobs, done, seeds = [], 0, set()
    for photo in inputs:
        for params in sets:
            path = out / output_name(photo, params, swept, args.format)
            if path.exists() and not args.overwrite:
                recorded = read_metadata(path)
                if not same_run(recorded, metadata(photo, params, args.seed)):
                    raise DreamError(f"{path} exists from another run; choose another -o, or pass --overwrite")
                seeds.add(recorded["seed"])
                done += 1
                continue
            jobs.append((photo, params, path))
    seed = args.seed if args.seed is not None else (min(seeds) if seeds else secrets.randbelow(2**31))
    if done:
        print(f"dream: {done} of {done + len(jobs)} outputs already in {out}; dreaming the other {len(jobs)}",
              file=sys.stderr)
    dask_model = Model(str(model.prototxt), str(model.weights), args.gpu, args.gpus or ())

    def job_list():
        for photo, params, path in jobs:
            try:
                data = photo.read_bytes()
            except OSError as e:
                failed.append((photo.name, f"cannot read it ({e.strerror})"))
                bar.update(1)
                continue
            yield Job(path.name, photo.name, data, dict(params, seed=seed, exact_gradient=args.exact_gradient),
                      metadata(photo, params, seed), args.max_memory, args.tile_margin)

    failed, started = [], time.perf_counter()
    sources = {path.name: photo.name for photo, _, path in jobs}

    def on_result(result):
        if result.error:
            failed.append((sources[result.name], result.error))
        else:
            write_atomically(out / result.name, result.data)
        bar.update(1)

    with cluster_client(args, share_out(args)) as (client, where):
        out.mkdir(exist_ok=True)  # once the cluster answers
        with tqdm(total=len(jobs), unit="job", desc=f"dreaming ({where})", dynamic_ncols=True) as bar:
            run_jobs(client, dask_model, job_list(), on_result, in_flight=2 * max(worker_count(client), 1))
    seconds = time.perf_counter() - started
    made = len(jobs) - len(failed)
    for name, why in failed:
        print(f"dream: failed: {name}: {why}", file=sys.stderr)
    rate = f", {60 * made / seconds:.1f} a minute" if made else ""
    print(f"dream: {made} of {len(jobs)} dreamed into {out}{rate}; seed {seed}"
          f"{f'; {len(failed)} failed' if failed else ''}", file=sys.stderr)
    return 1 if failed else 0
