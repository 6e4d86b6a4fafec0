"""Times the notebook's default dream (inception_4c/output, 4 octaves x 10 steps) on the 1024x575 sky photo.

    .venv/bin/python benchmarks/bench_dream.py [--image sky1024px.jpg] [--gpu [ID]] [--notebook]

Uses the real GoogLeNet weights when downloaded, else the same architecture
with seeded random weights: the time does not depend on the weights. Without
the sky photo it uses a same-size crop of scikit-image's astronaut photo.
Per octave it prints seconds per step and the share of each step spent outside
Caffe's forward()/backward() (numpy: jitter, normalised step, clip; and on a GPU
the device-to-host copy of the gradient when make_step reads it).
--notebook also times the tests' transcription of the original notebook loop.
"""
import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("GLOG_minloglevel", "3")  # before caffe is imported

import numpy as np  # noqa: E402
import skimage.data  # noqa: E402
import skimage.transform  # noqa: E402

import dream  # noqa: E402  (before caffe: it sets Caffe's BLAS threads)
import caffe  # noqa: E402
from dream.images import load_image  # noqa: E402
from dream.models import models_dir, named_model  # noqa: E402

REPO = Path(__file__).resolve().parent.parent


def sky_photo(path):
    for candidate in [path, models_dir() / "samples" / "sky1024px.jpg"]:
        if candidate and Path(candidate).is_file():
            return str(candidate), load_image(candidate)
    astronaut = skimage.transform.resize(skimage.data.astronaut(), (1024, 1024), preserve_range=True)
    return "astronaut, 1024x575 crop", np.float32(astronaut[200:775])


def googlenet_files():
    model = named_model("bvlc_googlenet")
    if model.weights.is_file():
        return model.prototxt, model.weights, "real weights"
    caffe.set_random_seed(0)
    weights = Path(tempfile.mkdtemp()) / "random_googlenet.caffemodel"
    caffe.Net(str(model.prototxt), caffe.TEST).save(str(weights))
    return model.prototxt, weights, "seeded random weights"


class CaffeClock:
    """Adds up the wall time spent inside net.forward and net.backward."""

    def __init__(self, net):
        self.spent = 0.0
        for name in ("forward", "backward"):
            setattr(net, name, self.timed(getattr(net, name)))

    def timed(self, call):
        def wrapper(*args, **kwargs):
            t = time.perf_counter()
            try:
                return call(*args, **kwargs)
            finally:
                self.spent += time.perf_counter() - t
        return wrapper


def guard_cost(net, stamps):
    """The non-finite input guard before every forward, against the last octave's step time."""
    from dream.network.net import check_input_values
    data = net.blobs['data'].data  # the largest octave's input, as the guard sees it
    reps = 200
    t0 = time.perf_counter()
    for _ in range(reps):
        check_input_values(data)
    guard = (time.perf_counter() - t0) / reps
    last = [s for s in stamps if s[0] == stamps[-1][0]]
    step = (last[-1][2] - last[0][2]) / max(len(last) - 1, 1)
    h, w = data.shape[-2:]
    print(f"input guard at {w}x{h}: {1e3 * guard:.3f} ms per forward = {100 * guard / step:.3f}% of a "
          f"{step:.3f} s step (limit 1%)")


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--image", help="the sky photo (default: models/samples/sky1024px.jpg)")
    p.add_argument("--gpu", nargs="?", const=0, type=int, metavar="ID", help="run on GPU ID")
    p.add_argument("--notebook", action="store_true", help="also time the original notebook loop")
    args = p.parse_args()
    name, img = sky_photo(args.image)
    prototxt, weights, kind = googlenet_files()
    device = f"GPU {args.gpu}" if args.gpu is not None else f"CPU, {os.cpu_count()} cores"
    print(f"image: {name} ({img.shape[1]}x{img.shape[0]}); GoogLeNet with {kind}; {device}")

    net = dream.load_net(prototxt, weights, gpu=args.gpu)
    dream.deepdream(net, img[:224, :224], iter_n=1, octave_n=1)  # warm-up: allocation, GPU context
    clock = CaffeClock(net)
    stamps = []
    t0 = time.perf_counter()
    dream.deepdream(net, img, rng=np.random.RandomState(0),
                    progress=lambda o, i, d: stamps.append((o, d.shape[-2:], time.perf_counter(), clock.spent)))
    total = time.perf_counter() - t0
    start, caffe_start = t0, 0.0
    for octave in range(4):
        steps = [s for s in stamps if s[0] == octave]
        (h, w), end, caffe_end = steps[0][1], steps[-1][2], steps[-1][3]
        spent, in_caffe = end - start, caffe_end - caffe_start
        print(f"octave {octave + 1} ({w}x{h}): {spent:6.2f} s, {spent / len(steps):.3f} s/step, "
              f"{100 * (spent - in_caffe) / spent:4.1f}% outside Caffe")
        start, caffe_start = end, caffe_end
    print(f"dream.deepdream total: {total:.2f} s ({100 * (total - clock.spent) / total:.1f}% outside Caffe)")
    guard_cost(net, stamps)

    if args.notebook:
        sys.path.insert(0, str(REPO / "tests"))
        import notebook_oracle as nb
        nbnet = nb.load_net(prototxt, weights)
        np.random.seed(0)
        t0 = time.perf_counter()
        nb.deepdream(nbnet, img)
        print(f"notebook loop total:   {time.perf_counter() - t0:.2f} s")


if __name__ == "__main__":
    try:
        main()
    except dream.DreamError as e:
        sys.exit(f"bench_dream: {e}")
