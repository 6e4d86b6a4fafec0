"""The device loop (dream/device/loop.py) against the host loop on one GPU: the notebook's default dream
(1024x575, 4 octaves x 10 steps, inception_4c/output), and its guided dream (the guide, here the photo
turned upside down, at inception_3b/output: a seed made on the host from a copy of that layer), each
from the same seed, each run twice (first and warm), and the bytes compared (equal, or how many pixels
differ and by how much). Prints a table.

    python benchmarks/bench_device_loop.py --weights W [--image sky1024px.jpg] [--device gpu|cpu] [--small]

--device cpu runs the device loop's control flow with the numpy stand-in against the CPU host loop:
scripts/gpu_check.sh --rehearse runs it so, here, before a lent GPU runs it for real.
"""
import argparse
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
from bench_gpu import PROTOTXT, LAYER, photo  # noqa: E402  (one photo for both benchmarks)

GUIDE_LAYER = 'inception_3b/output'  # the notebook's guided dream's layer


def timed(fn, runs):
    """(the last result, each run's seconds)."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - started)
    return out, times


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--weights", required=True)
    ap.add_argument("--image")
    ap.add_argument("--device", choices=("gpu", "cpu"), default="gpu")
    ap.add_argument("--small", action="store_true", help="a 256x144 photo and 2 steps an octave (the rehearsal)")
    ap.add_argument("--runs", type=int, default=2)
    args = ap.parse_args()
    import os
    os.environ["DREAM_DEVICE_LOOP"] = "0"  # dream.deepdream is the host loop here, checked or not
    import dream
    from dream.device.loop import deepdream_on_device
    height, width, iters = (144, 256, 2) if args.small else (575, 1024, 10)
    img = photo(argparse.Namespace(image=args.image), height, width)
    gpu = 0 if args.device == "gpu" else None
    net = dream.load_net(PROTOTXT, args.weights, gpu=gpu)
    if gpu is None:
        from dream.device.host_stand_in import HostStandIn
        device, name = HostStandIn(), "device loop (numpy stand-in)"
    else:
        from dream.device.cuda_device import CudaDevice
        device, name = CudaDevice(), "device loop (CUDA kernels)"
    guide = dream.guide_features(net, np.ascontiguousarray(img[::-1]), end=GUIDE_LAYER)
    dreams = {"default": dict(end=LAYER),
              "guided": dict(end=GUIDE_LAYER, objective=dream.objective_guide(guide))}
    print(f"\n{width}x{height}, 4 octaves x {iters} steps, {args.device}:")
    print("| dream | loop | first run | warm run |\n|---|---|---|---|")
    agree = True
    for what, params in dreams.items():
        host, host_times = timed(lambda: dream.deepdream(net, img, iter_n=iters, rng=np.random.RandomState(0),
                                                         **params), args.runs)
        ours, our_times = timed(lambda: deepdream_on_device(net, img, device, iter_n=iters,
                                                            rng=np.random.RandomState(0), **params), args.runs)
        label = f"{what} ({params['end']})"
        for loop, times in (("host loop (dream.deepdream)", host_times), (name, our_times)):
            print(f"| {label} | {loop} | {times[0]:.3f} s | {times[-1]:.3f} s |")
        print(f"{what}: device loop vs host loop: {compared(host, ours)}; "
              f"warm ratio {host_times[-1] / our_times[-1]:.2f}x")
        agree = agree and host.tobytes() == ours.tobytes()
    return 0 if agree or gpu is not None else 1  # on the CPU they must agree


def compared(host, ours):
    """'the same bytes', or how the two images differ."""
    if host.tobytes() == ours.tobytes():
        return "the same bytes (float image)"
    a, b = np.uint8(np.clip(host, 0, 255)), np.uint8(np.clip(ours, 0, 255))
    return (f"differ: float max |diff| {np.abs(host - ours).max():.3g}, {int((a != b).any(-1).sum())} of "
            f"{a.shape[0] * a.shape[1]} pixels differ in uint8, by at most {int(np.abs(a.astype(int) - b).max())}")

if __name__ == "__main__":
    sys.exit(main())
