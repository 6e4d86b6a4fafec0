"""Large photos: the memory model against measured peak RSS, bytes per pixel, tiled vs untiled speed,
big photos within a budget, and the margin trade-off.

    .venv/bin/python benchmarks/bench_tiles.py [--image sky1024px.jpg] [--part model,speed,large,margins]

Every measurement of memory runs in a child process of its own, whose peak RSS
(os.wait4) is its alone. GoogLeNet with its real weights when downloaded, else
seeded random weights: memory and time do not depend on the weights. Photos are
the sky photo (or scikit-image's astronaut) resized; nothing is written to disk
but the random weights.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("GLOG_minloglevel", "3")
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
import PIL.Image  # noqa: E402

import dream  # noqa: E402  (before caffe: it sets Caffe's BLAS threads)
from bench_dream import googlenet_files, sky_photo  # noqa: E402
from dream.network.memory import OCTAVE_COPY_BYTES_PER_PIXEL, dream_bytes, memory_terms, net_bytes, own_rss  # noqa: E402
from dream.engine.octaves import plan_octaves  # noqa: E402
from dream.engine.tiles import TilePlan, axis_options  # noqa: E402

END = "inception_4c/output"
GiB = 2**30


def photo(path, height, width):
    _, img = sky_photo(path)
    return np.float32(PIL.Image.fromarray(np.uint8(img)).resize((width, height), PIL.Image.BICUBIC))


def child(args):
    """One dream in this process; prints what it measured as JSON."""
    prototxt, weights = args.model
    net = dream.load_net(prototxt, weights)
    img = photo(args.image, args.height, args.width)
    start = own_rss()
    plans = plan_octaves(net, args.height, args.width, 1, 1.4, [END], None, args.max_memory)
    predicted = plans[-1].peak if plans[-1] else start + OCTAVE_COPY_BYTES_PER_PIXEL * img.size // 3 + \
        dream_bytes(net, args.height, args.width, [END])
    times = [time.perf_counter()]
    dream.deepdream(net, img, iter_n=args.iters, octave_n=1, end=END, rng=np.random.RandomState(0), plans=plans,
                    progress=lambda *_: times.append(time.perf_counter()))
    # the first step also pays for first-touching every buffer; the last is the steady cost
    print(json.dumps(dict(seconds=times[-1] - times[0], first=times[1] - times[0], step=times[-1] - times[-2],
                          predicted=predicted, start=start, plan=plans[-1].describe() if plans[-1] else "untiled")))


def measure(args, height, width, max_memory=None, iters=1):
    """(child's JSON, its peak RSS in bytes) for a one-octave dream of `iters` steps at height x width."""
    cmd = [sys.executable, __file__, "--child", "--height", str(height), "--width", str(width),
           "--iters", str(iters), "--model", *map(str, args.model)] + (["--image", args.image] if args.image else []) \
        + (["--max-memory", str(max_memory)] if max_memory else [])
    with tempfile.TemporaryFile() as out:
        p = subprocess.Popen(cmd, stdout=out)
        _, status, usage = os.wait4(p.pid, 0)
        out.seek(0)
        text = out.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"bench_tiles: the child for {width}x{height} failed:\n{text}")
    return json.loads(text.strip().splitlines()[-1]), usage.ru_maxrss * 1024


def model_bytes_per_pixel(net, shared, side=1024):
    fixed = memory_terms(net, END, shared)[0]
    return (net_bytes(net, side, side, END, shared) - fixed) / side**2


def part_model(args, net):
    print(f"\n## memory model vs measured peak RSS ({END}, one octave, one step, untiled)")
    for shared, build in [(False, "one im2col buffer per convolution (stock Caffe)"),
                          (True, "one shared im2col buffer (scripts/install_caffe.sh)")]:
        print(f"Caffe's bytes per input pixel at {END}, model at 1024x1024, {build}: "
              f"{model_bytes_per_pixel(net, shared):.0f} B/px")
    print(f"this Caffe shares its buffer: {dream.network.memory.shares_im2col_buffer()}; "
          f"the octave loop's arrays add {dream.network.memory.DREAM_ARRAY_BYTES_PER_PIXEL} B/px")
    rows = []
    for h, w in [(512, 512), (1024, 1024), (1536, 2048)]:
        got, peak = measure(args, h, w)
        rows.append((h * w, peak))
        print(f"{w}x{h}: predicted {got['predicted'] / 1e9:.3f} GB, measured {peak / 1e9:.3f} GB "
              f"(predicted/measured {got['predicted'] / peak:.2f}), {got['seconds']:.1f} s")
    (p0, r0), (p1, r1) = rows[0], rows[-1]
    print(f"measured bytes per pixel (slope between the smallest and largest): {(r1 - r0) / (p1 - p0):.0f} B/px")


def part_speed(args, net):
    print(f"\n## seconds per megapixel-step, untiled vs tiled with the exact margin ({END}, 1536x2048, "
          "the third step: the first also pays for first-touching the memory)")
    mp = 1536 * 2048 / 1e6
    whole, _ = measure(args, 1536, 2048, iters=3)
    need = whole["predicted"]
    tiled, peak = measure(args, 1536, 2048, max_memory=int(need * 0.6), iters=3)
    print(f"untiled: {whole['step'] / mp:.2f} s/MP-step (its first step {whole['first']:.1f} s); "
          f"tiled ({tiled['plan']}): {tiled['step'] / mp:.2f} s/MP-step; ratio {tiled['step'] / whole['step']:.2f}; "
          f"peak {peak / 1e9:.2f} GB against a budget of {need * 0.6 / 1e9:.2f} GB")


def part_large(args, net):
    print(f"\n## large photos at {END}, default margin, one octave, one step")
    for (h, w), budget in [((3000, 4000), 4 * GiB), ((6000, 8000), 8 * GiB)]:
        untiled = dream_bytes(net, h, w, [END])
        got, peak = measure(args, h, w, max_memory=budget)
        print(f"{w}x{h}: untiled it would need {untiled / 1e9:.1f} GB; with --max-memory {budget / GiB:.0f}GiB: "
              f"peak RSS {peak / GiB:.2f} GiB ({peak / 1e9:.2f} GB), predicted {got['predicted'] / 1e9:.2f} GB, "
              f"{got['seconds']:.0f} s = {got['seconds'] / (h * w / 1e6):.2f} s/MP-step; {got['plan']}")


def even_split(length, margin, core=256):
    """The stride-aligned split of one axis into about length/core equal cores."""
    n = -(-length // core)
    return min(axis_options(length, 16, margin), key=lambda a: abs(len(a.cores) - n))


def part_margins(args, net_files):
    print(f"\n## --tile-margin: overhead vs difference after a full default dream (4 octaves x 10 steps, {END})")
    img = photo(args.image, 575, 1024)
    prototxt, weights = net_files

    def run(plans):
        net = dream.load_net(prototxt, weights)
        t = time.perf_counter()
        out = dream.deepdream(net, img, end=END, rng=np.random.RandomState(0), plans=plans)
        return out, time.perf_counter() - t

    reference, base = run([None] * 4)
    print(f"untiled: {base:.0f} s")
    sizes = dream.engine.octaves.octave_sizes(575, 1024)[::-1]
    for margin in [304, 160, 96, 48, 0]:
        # cores of about 256 px, evenly split: the same layout for every margin, so only the margin changes
        plans = [TilePlan(even_split(h, margin), even_split(w, margin), 0, (16, 16), (margin, margin))
                 for h, w in sizes]
        out, seconds = run(plans)
        computed = sum(p.overhead * h * w for p, (h, w) in zip(plans, sizes)) / sum(h * w for h, w in sizes)
        diff = np.abs(out - reference)
        print(f"margin {margin:3d}: {computed:.2f}x the pixels, {seconds / base:.2f}x the time, mean |difference| "
              f"{diff.mean():.3f} grey levels, max {diff.max():.1f}, identical: {np.array_equal(out, reference)}")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--image", help="the sky photo (default: models/samples/sky1024px.jpg)")
    p.add_argument("--part", default="model,speed,large,margins")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--height", type=int, help=argparse.SUPPRESS)
    p.add_argument("--width", type=int, help=argparse.SUPPRESS)
    p.add_argument("--max-memory", type=float, help=argparse.SUPPRESS)
    p.add_argument("--iters", type=int, default=1, help=argparse.SUPPRESS)
    p.add_argument("--model", nargs=2, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        return child(args)
    prototxt, weights, kind = googlenet_files()
    args.model = (prototxt, weights)
    print(f"GoogLeNet with {kind}; CPU, {os.cpu_count()} cores; BLAS threads {os.environ['BLIS_NUM_THREADS']}")
    net = dream.load_net(prototxt, weights)
    parts = args.part.split(",")
    for name, part in [("model", part_model), ("speed", part_speed), ("large", part_large)]:
        if name in parts:
            part(args, net)
    if "margins" in parts:
        part_margins(args, (prototxt, weights))


if __name__ == "__main__":
    main()
