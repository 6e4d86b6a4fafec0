"""Where a step's time goes, layer by layer: pycaffe's before/after forward and backward callbacks, with
the device synchronised at each (a GPU's layers launch and return), over the default run's largest
octave (1024x575 to inception_4c/output) or any size.

    python benchmarks/bench_layers.py [--gpu N] [--weights W] [--size 1024x575] [--steps 5] [--top 15]

Prints the slowest layers (forward and backward milliseconds a step, and their share), then the sums:
all layers' time against the steps' wall time (the difference is what the callbacks and the seed cost).
Random-weight GoogLeNet unless --weights (or the downloaded model): a layer's time does not depend on
its weights. On a GPU the fence is the device loop's library (dream/device/kernels.cu).
"""
import argparse
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
os.environ.setdefault("GLOG_minloglevel", "3")

import dream  # noqa: E402
from bench_dream import googlenet_files  # noqa: E402
from dream.models import named_model  # noqa: E402


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--gpu", type=int)
    ap.add_argument("--weights", help="a caffemodel for GoogLeNet (default: downloaded, else random)")
    ap.add_argument("--size", default="1024x575", help="WxH of the input")
    ap.add_argument("--layer", default="inception_4c/output")
    ap.add_argument("--steps", type=int, default=5, help="timed steps, after one untimed")
    ap.add_argument("--top", type=int, default=15)
    args = ap.parse_args()
    width, height = map(int, args.size.split("x"))
    if args.weights is None:
        prototxt, weights, kind = googlenet_files()
    else:
        prototxt, weights, kind = named_model("bvlc_googlenet").prototxt, args.weights, "the given weights"
    net = dream.load_net(prototxt, weights, gpu=args.gpu)
    if args.gpu is None:
        fence = lambda: None  # noqa: E731 (the CPU's layers return when done)
    else:
        from dream.device.cuda_device import cuda_device
        fence = cuda_device(args.gpu).synchronize
    names = list(net._layer_names)
    end = names.index(args.layer)
    net.blobs["data"].reshape(1, 3, height, width)
    net.blobs["data"].data[...] = np.random.RandomState(0).uniform(-100, 100, (1, 3, height, width))
    spent, started = defaultdict(float), {}

    def before(phase):
        def run(i):
            fence()
            started[phase, i] = time.perf_counter()
        return run

    def after(phase):
        def run(i):
            fence()
            spent[phase, names[i]] += time.perf_counter() - started[phase, i]
        return run

    def step():
        net._forward(0, end)
        dst = net.blobs[args.layer]
        dst.diff[...] = dst.data
        net._backward(end, 0)
        fence()
    step()  # untimed: memory allocated, kernels loaded
    for phase, hook in (("forward", net.before_forward), ("backward", net.before_backward)):
        hook(before(phase))
    net.after_forward(after("forward"))
    net.after_backward(after("backward"))
    wall = time.perf_counter()
    for _ in range(args.steps):
        step()
    wall = (time.perf_counter() - wall) / args.steps
    per_step = {key: seconds / args.steps for key, seconds in spent.items()}
    total = sum(per_step.values())
    layers = sorted({name for _, name in per_step}, key=lambda n: -(per_step.get(("forward", n), 0)
                                                                    + per_step.get(("backward", n), 0)))
    print(f"{width}x{height} to {args.layer}, {args.steps} steps; GoogLeNet with {kind}; "
          f"{'GPU ' + str(args.gpu) if args.gpu is not None else f'CPU, {os.cpu_count()} cores'}")
    print(f"{'layer':32s} {'forward ms':>10s} {'backward ms':>11s} {'share':>6s}")
    for name in layers[:args.top]:
        fwd, bwd = per_step.get(("forward", name), 0), per_step.get(("backward", name), 0)
        print(f"{name:32s} {1e3 * fwd:10.2f} {1e3 * bwd:11.2f} {100 * (fwd + bwd) / total:5.1f}%")
    forward = sum(s for (phase, _), s in per_step.items() if phase == "forward")
    print(f"{'all ' + str(len(layers)) + ' layers':32s} {1e3 * forward:10.2f} {1e3 * (total - forward):11.2f} "
          f"100.0%")
    print(f"a step's wall time {1e3 * wall:.2f} ms; the layers' sum {1e3 * total:.2f} ms "
          f"({100 * total / wall:.1f}%)")


if __name__ == "__main__":
    main()
