"""Flicker and drift of python -m dream video's modes on a static clip and a panning one.

    .venv/bin/python benchmarks/bench_video.py [--photo sky1024px.jpg] [--frames 100] [--size 256x192]

Two clips cut from one real photo: a static one (the same frame repeated) and one panning
right across it, 2 pixels a frame (known motion). Each is dreamed three ways: --flow none
(DeepDreamVideo's 50/50 blend), independent frames (--flow none --blend 0) and --flow dis
(the default). It prints, per clip and mode:
- the warping error, the usual measure of flicker: the mean |output t - output t-1
  moved onto t along the flow| over the pixels the flow can be trusted at (grey levels);
- the brightness drift: the mean of (output - input) per frame, its linear trend over
  the clip (grey levels per 100 frames), and the first and last frames' values;
- seconds per frame.
Random-weight GoogLeNet unless the real weights are downloaded (the measures compare
modes; the absolute values depend on the weights).
"""
import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
os.environ.setdefault("GLOG_minloglevel", "3")

import dream  # noqa: E402
from bench_dream import googlenet_files  # noqa: E402
from dream.video.coherence import drift, warping_error  # noqa: E402
from dream.images import load_image  # noqa: E402
from dream.engine.octaves import deepdream  # noqa: E402
from dream.video import dream_frames, frame_path, steady  # noqa: E402

MODES = [("none (blend 0.5)", "none", dict(blend=0.5)), ("independent", "none", dict(blend=0.0)),
         ("dis flow", "dis", dict(decay=0.9))]


def clips(photo, width, height, count, step=2):
    photo = np.uint8(np.clip(photo, 0, 255))
    if photo.shape[1] < width + step * count or photo.shape[0] < height:
        raise SystemExit(f"the photo is too small for a {count}-frame pan at {width}x{height}")
    y = (photo.shape[0] - height) // 2
    static = [np.ascontiguousarray(photo[y:y + height, :width])] * count
    pan = [np.ascontiguousarray(photo[y:y + height, step * t:step * t + width]) for t in range(count)]
    return {"static": static, f"panning {step} px/frame": pan}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--photo", help="a photo to cut the clips from (default: the notebook's sky, else "
                                   "scikit-image's astronaut)")
    p.add_argument("--frames", type=int, default=100)
    p.add_argument("--size", default="256x192", help="WxH of the clips")
    p.add_argument("--layer", default="inception_3b/output")
    p.add_argument("--octaves", type=int, default=3)
    args = p.parse_args()
    width, height = map(int, args.size.split("x"))
    from bench_dream import sky_photo
    name, photo = sky_photo(args.photo)
    prototxt, weights, kind = googlenet_files()
    net = dream.load_net(prototxt, weights)
    print(f"clips from {name}, {args.frames} frames of {width}x{height}; {args.layer}, {args.octaves} octaves, "
          f"10 steps on the first frame and 5 on the others; GoogLeNet with {kind}")

    def dream_one(image, rng, params):
        return deepdream(net, image, iter_n=params["iters"], octave_n=args.octaves, end=args.layer, rng=rng)

    print(f"{'clip':22s} {'mode':18s} {'warping error':>13s} {'drift/100 fr':>12s} {'first':>6s} {'last':>6s} "
          f"{'s/frame':>8s}")
    for clip_name, frames in clips(photo, width, height, args.frames).items():
        for mode_name, flow, mode in MODES:
            with tempfile.TemporaryDirectory() as folder:
                folder = Path(folder)
                t0 = time.perf_counter()
                for _ in dream_frames(frames, folder, dream_one, 0, steady(10, 5, **mode), flow):
                    pass
                seconds = (time.perf_counter() - t0) / len(frames)
                outputs = [load_image(frame_path(folder, t)) for t in range(len(frames))]
            error = warping_error(frames, outputs)
            trend, first, last = drift(frames, outputs)
            print(f"{clip_name:22s} {mode_name:18s} {error:13.2f} {trend:12.2f} {first:6.2f} {last:6.2f} "
                  f"{seconds:8.2f}", flush=True)


if __name__ == "__main__":
    main()
