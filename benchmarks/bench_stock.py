"""The default run on stock Caffe and on dream's Caffe, interleaved: seconds, ratio, same image?

    .venv/bin/python benchmarks/bench_stock.py [--image sky1024px.jpg] [--rounds 2] [--threads 1,2]

Builds (or finds in the cache) both variants with scripts/install_caffe.sh: the
default one, which the venv uses, and `--stock`, upstream Caffe with only the
patches it needs here, which runs through PYTHONPATH. Each run is the notebook's
default dream (inception_4c/output, 4 octaves x 10 steps, seed 0) in a fresh
process, stock and fast taking turns (A B A B: these machines are noisy, so
compare within a round). It prints the seconds, the ratio of the medians, whether
the final images are bit for bit the same, and where one step of the fast build
goes: forward and backward time per layer type at the largest octave.
Uses the real weights when downloaded, else seeded random ones (the time does not
depend on the weights).
"""
import argparse
import collections
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))


def build(*flags):
    """scripts/install_caffe.sh with these flags; for --stock, the folder its pycaffe is in."""
    out = subprocess.run(["bash", str(REPO / "scripts" / "install_caffe.sh"), *flags],
                         stdout=subprocess.PIPE, text=True, check=True)
    return out.stdout.strip().splitlines()[-1] if flags else None


def run_worker(pythonpath, threads, image, weights, out):
    """One default run in a fresh process; returns its seconds and the build it ran on."""
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), BLIS_NUM_THREADS=str(threads))
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    cmd = [sys.executable, __file__, "--worker", "--image", image, "--weights", str(weights), "--out", str(out)]
    done = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def worker(args):
    """Inside the subprocess: the timed default run, its image saved for the comparison."""
    import dream
    from bench_dream import sky_photo
    _, img = sky_photo(args.image)
    net = dream.load_net(str(REPO / "dream" / "model_definitions" / "bvlc_googlenet" / "deploy.prototxt"), args.weights)
    if args.layers:
        return layer_split(net, img.shape[:2])
    dream.deepdream(net, img[:224, :224], iter_n=1, octave_n=1)  # warm-up, as bench_dream does
    t0 = time.perf_counter()
    result = dream.deepdream(net, img, rng=np.random.RandomState(0))
    seconds = time.perf_counter() - t0
    np.save(args.out, result)
    import caffe
    build_id = Path(caffe.__file__).with_name("dream_build.txt").read_text().split()
    print(json.dumps({"seconds": seconds, "patches": [w for w in build_id if w[:2].isdigit() and w[2:3] == "-"]}))


def layer_split(net, size, end="inception_4c/output", reps=3):
    """Forward and backward seconds per layer type, one step at this size, layer by layer."""
    names = list(net._layer_names)
    types = [layer.type for layer in net.layers]
    last = max(i for i, n in enumerate(names) if end in net.top_names[n])
    net.blobs["data"].reshape(1, 3, *size)
    net.blobs["data"].data[:] = np.random.RandomState(0).uniform(-100, 100, net.blobs["data"].data.shape)
    fwd, bwd = collections.Counter(), collections.Counter()
    for rep in range(reps + 1):  # the first is a warm-up: allocation
        for i in range(last + 1):
            t = time.perf_counter()
            net._forward(i, i)
            fwd[types[i]] += (time.perf_counter() - t) * (rep > 0)
        net.blobs[end].diff[:] = net.blobs[end].data
        for i in range(last, -1, -1):
            t = time.perf_counter()
            net._backward(i, i)
            bwd[types[i]] += (time.perf_counter() - t) * (rep > 0)
    total = sum(fwd.values()) + sum(bwd.values())
    print(f"where a step of the fast build goes, {size[1]}x{size[0]} to {end} ({total / reps:.3f} s, mean of {reps}):")
    print(f"  {'layer type':14s} {'forward':>9s} {'backward':>9s} {'share':>6s}")
    for kind in sorted(set(fwd) | set(bwd), key=lambda k: -(fwd[k] + bwd[k])):
        print(f"  {kind:14s} {1e3 * fwd[kind] / reps:6.1f} ms {1e3 * bwd[kind] / reps:6.1f} ms "
              f"{100 * (fwd[kind] + bwd[kind]) / total:5.1f}%")


def random_weights(path):
    import caffe
    caffe.set_random_seed(0)
    caffe.Net(str(REPO / "dream" / "model_definitions" / "bvlc_googlenet" / "deploy.prototxt"), caffe.TEST).save(str(path))


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--image", default="", help="the sky photo (default: models/samples/sky1024px.jpg, "
                                                "else a crop of scikit-image's astronaut)")
    p.add_argument("--rounds", type=int, default=2, help="stock/fast pairs per thread count")
    p.add_argument("--threads", default=str(len(os.sched_getaffinity(0))),
                   help="thread counts to compare at, comma-separated (OMP_NUM_THREADS and BLIS_NUM_THREADS)")
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--layers", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--weights", help=argparse.SUPPRESS)
    p.add_argument("--out", help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.worker:
        return worker(args)
    try:
        thread_counts = [int(t) for t in args.threads.split(",")]
    except ValueError:
        p.error(f"--threads: '{args.threads}' is not a comma-separated list of numbers")
    if args.rounds < 1 or min(thread_counts) < 1:
        p.error("--rounds and --threads need 1 or more")

    stock = build("--stock")
    build()
    with tempfile.TemporaryDirectory(prefix="bench_stock-") as tmp:
        return compare(args, stock, thread_counts, Path(tmp))


def compare(args, stock, thread_counts, tmp):
    """The interleaved rounds, the comparisons of the images, then the per-layer split; 1 if any image differs."""
    from dream.models import named_model
    weights = named_model("bvlc_googlenet").weights
    kind = "real weights"
    if not weights.is_file():
        weights, kind = tmp / "random_googlenet.caffemodel", "seeded random weights"
        random_weights(weights)
    from bench_dream import sky_photo
    name, img = sky_photo(args.image)
    print(f"default run: {name} ({img.shape[1]}x{img.shape[0]}), inception_4c/output, 4 octaves x 10 steps, "
          f"GoogLeNet with {kind}, {os.cpu_count()} cores; stock pycaffe: {stock}")
    identical = True
    first_threads = thread_counts[0]
    for threads in thread_counts:
        times, patches = {"stock": [], "fast": []}, {}
        for r in range(args.rounds):
            for variant, path in (("stock", stock), ("fast", None)):
                run = run_worker(path, threads, args.image, weights, tmp / f"{variant}-{threads}.npy")
                times[variant].append(run["seconds"])
                patches[variant] = run["patches"]
            print(f"{threads} thread(s), round {r + 1}: stock {times['stock'][-1]:6.2f} s   "
                  f"fast {times['fast'][-1]:6.2f} s   ratio {times['stock'][-1] / times['fast'][-1]:.2f}x")
        if threads == first_threads:
            print(f"patches: stock {' '.join(patches['stock'])}; fast {' '.join(patches['fast'])}")
        a, b = (np.load(tmp / f"{v}-{threads}.npy") for v in ("stock", "fast"))
        same = a.tobytes() == b.tobytes()
        identical &= same
        slow, fast = statistics.median(times["stock"]), statistics.median(times["fast"])
        print(f"{threads} thread(s): median stock {slow:.2f} s, fast {fast:.2f} s: {slow / fast:.2f}x faster; "
              f"final images {'bit-identical' if same else f'DIFFER (max |diff| {np.abs(a - b).max():.3g})'}")
    if len(thread_counts) > 1:  # BLIS splits no sum across threads, nor do the layers: expect the same bits
        images = [np.load(tmp / f"fast-{t}.npy") for t in thread_counts]
        same = all(i.tobytes() == images[0].tobytes() for i in images)
        identical &= same
        print(f"fast build at {args.threads} threads: final images {'bit-identical' if same else 'DIFFER'}")
    last = str(thread_counts[-1])
    env = dict(os.environ, OMP_NUM_THREADS=last, BLIS_NUM_THREADS=last)
    subprocess.run([sys.executable, __file__, "--worker", "--layers", "--image", args.image, "--weights", str(weights)],
                   env=env, check=True)
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
