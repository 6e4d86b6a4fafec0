"""python -m dream batch: many photos, or a sweep over parameters, dreamed on a Dask cluster."""
import dataclasses
import itertools
import sys
import time
from functools import partial
from pathlib import Path

from tqdm import tqdm

from ..errors import DreamError
from ..network.blas import cores
from ..engine.parameters import DreamParams
from ..runs.seeds import resolve_seed
from .cluster_args import add_cluster_args
from .common import checked_model, with_flags

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
    from .common import (DEFAULT_LAYER, DefaultsFormatter, OneLineParser, add_memory_args, add_model_args,
                         add_octave_args, non_empty)
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
    a.add_argument("--layer", type=listed(non_empty("layer name")), default=None,
                   help=f"layers to maximise (default {DEFAULT_LAYER} for GoogLeNet, another --model's own; "
                        f"python -m dream --list-layers)")
    add_octave_args(a, seed_help="jitter seed of every job (default: the earlier run's in the folder, else random)",
                    listed=listed)
    a.add_argument("--exact-gradient", action="store_true",
                   help="clear Caffe's stale diffs before each backward (the notebook does not; see docs/faithfulness.md)")
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


def sweep(request):
    """Each parameter set of the sweep, as a dict of SWEEPS' keys."""
    axes = {key: getattr(request, key) for key in SWEEPS}
    return [dict(zip(axes, values)) for values in itertools.product(*axes.values())]


def output_name(photo, params, swept, fmt):
    """photo-dream.jpg, or with what the sweep varies: photo.layer=inception_4c-output.octaves=3.jpg."""
    tags = "".join(f".{SWEEPS[k]}={str(params[k]).replace('/', '-')}" for k in SWEEPS if k in swept)
    return f"{photo.stem}{tags or '-dream'}.{fmt}"


def run(request):
    from .cluster_args import check_devices, placement
    where = placement(request, default_workers=cores())  # with --gpus, one worker a GPU unless --workers says
    check_devices(where)
    inputs = photos(request.inputs)
    out = Path(request.output)
    if out.exists() and not out.is_dir():
        raise DreamError(f"output {out} is a file; -o names a folder")
    if not out.parent.resolve().is_dir():
        raise DreamError(f"output folder's parent does not exist: {out.parent}")
    model, weights_sha1 = checked_model(request)
    request = dataclasses.replace(request, layer=request.layer or [model.layer])  # the model's own by default
    check_layers(model, request.layer)
    swept = {k for k in SWEEPS if len(getattr(request, k)) > 1}
    metadata = partial(photo_metadata, request, model, weights_sha1)
    jobs, done, seeds = [], 0, set()
    for photo in inputs:
        for params in sweep(request):
            path = out / output_name(photo, params, swept, request.format)
            if path.exists() and not request.overwrite:
                seeds.add(recorded_seed(path, metadata(photo, params, request.seed)))
                done += 1
            else:
                jobs.append((photo, params, path))
    seed = resolve_seed(request.seed, min(seeds) if seeds else None)
    if done:
        print(f"dream: {done} of {done + len(jobs)} outputs already in {out}; dreaming the other {len(jobs)}",
              file=sys.stderr)
    return dream_jobs(request, where, model, jobs, out, seed, metadata)


def check_layers(model, layers):
    """Every --layer checked on the net here, before any job."""
    from ..network.net import check_end
    net = model.load()
    for layer in layers:
        check_end(net, layer)


def photo_metadata(request, model, weights_sha1, photo, params, seed):
    """What one job's output records: python -m dream's run parameters for this photo and parameter set."""
    from ..runs.metadata import run_params
    return run_params(DreamParams.of(params, exact_gradient=request.exact_gradient), model, weights_sha1, photo, None,
                      params["layer"], seed, tile_margin=request.tile_margin)


def recorded_seed(path, wanted):
    """The seed of an output an earlier run left, which must be of this run."""
    from ..images import read_metadata
    from ..runs.resume import earlier_run, earlier_seed
    return earlier_seed(earlier_run(path, True, read_metadata(path), wanted, overwrite=False))


def dream_jobs(request, where, model, jobs, out, seed, metadata):
    """Dream the jobs on the cluster, each output written whole as it comes back; 1 if any failed."""
    from .cluster_args import cluster_client, share_out
    from ..cluster.batch import Model, PhotoJob, run_jobs
    from ..cluster.client import worker_count
    from ..images import write_atomically
    threads, budget = share_out(where)
    failed, started = [], time.perf_counter()
    sources = {path.name: photo.name for photo, _, path in jobs}

    def job_list():
        for photo, params, path in jobs:
            try:
                data = photo.read_bytes()
            except OSError as e:
                failed.append((photo.name, f"cannot read it ({e.strerror})"))
                bar.update(1)
                continue
            yield PhotoJob(path.name, photo.name, data, params["layer"],
                           DreamParams.of(params, exact_gradient=request.exact_gradient), seed,
                           metadata(photo, params, seed), budget, request.tile_margin)

    def on_result(result):
        if result.error:
            failed.append((sources[result.name], with_flags(result.error)))
        else:
            write_atomically(out / result.name, result.data)
        bar.update(1)

    with cluster_client(where, threads) as (client, place):
        out.mkdir(exist_ok=True)  # once the cluster answers
        with tqdm(total=len(jobs), unit="job", desc=f"dreaming ({place})", dynamic_ncols=True) as bar:
            run_jobs(client, Model(str(model.prototxt), str(model.weights), where.gpu, where.gpus, model.mean), job_list(),
                     on_result, in_flight=2 * max(worker_count(client), 1))
    say_done(out, len(jobs), failed, seed, time.perf_counter() - started)
    return 1 if failed else 0


def say_done(out, count, failed, seed, seconds):
    made = count - len(failed)
    for name, why in failed:
        print(f"dream: failed: {name}: {why}", file=sys.stderr)
    rate = f", {60 * made / seconds:.1f} a minute" if made else ""
    print(f"dream: {made} of {count} dreamed into {out}{rate}; seed {seed}"
          f"{f'; {len(failed)} failed' if failed else ''}", file=sys.stderr)
