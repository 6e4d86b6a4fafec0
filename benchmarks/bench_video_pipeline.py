"""python -m dream video's pipeline against the plain loop, side by side: the same clip, the same files.

    .venv/bin/python benchmarks/bench_video_pipeline.py [--size 640x360] [--frames 8] [--rounds 2]

The pipeline (dream.video.chains.dream_here): the optical flows computed ahead in other processes, each
dream kept in memory as the next frame's state, each PNG encoded and written in a thread. The plain loop:
flows, PNG decode and encode in line, as before. Each round dreams the clip both ways, in alternating
order (this machine is noisy), and checks that both folders hold the same bytes. It prints seconds per
frame each way and the plain loop's time over the pipeline's. Random-weight GoogLeNet unless the real
weights are downloaded; --gpu N dreams on a GPU build.
"""
import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import PIL.Image

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
os.environ.setdefault("GLOG_minloglevel", "3")

import dream  # noqa: E402,F401
from bench_dream import googlenet_files, sky_photo  # noqa: E402
from bench_video import clips  # noqa: E402
from dream.cluster.batch import Model, cached_net  # noqa: E402
from dream.video.chains import Chain, chunks, dream_here  # noqa: E402
from dream.video.clip import VideoDream  # noqa: E402
from dream.video.io import VideoSource  # noqa: E402


def panning_clip(folder, photo, width, height, count, step=4):
    """A folder of bench_video.py's panning clip: `count` frames moving right across the photo."""
    folder.mkdir()
    for t, frame in enumerate(clips(photo, width, height, count, step)[f"panning {step} px/frame"]):
        PIL.Image.fromarray(frame).save(folder / f"{t:04d}.png")


def dream_clip(clip, source, folder, pipelined):
    """Seconds to dream the whole clip into `folder`, one chunk."""
    folder.mkdir()
    chains = [Chain(span, source, folder) for span in chunks(source.count, None, 0)]
    started = time.perf_counter()
    dream_here(clip, chains, lambda t, own: None, lambda t, own, data: None, pipelined=pipelined)
    return time.perf_counter() - started


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--size", default="640x360", help="WxH of the clip")
    p.add_argument("--frames", type=int, default=8)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--layer", default="inception_4c/output")
    p.add_argument("--octaves", type=int, default=4)
    p.add_argument("--iters", type=int, default=10, help="steps per octave, frame 0")
    p.add_argument("--iters-next", type=int, default=5, help="steps per octave, later frames")
    p.add_argument("--gpu", type=int)
    args = p.parse_args()
    width, height = map(int, args.size.split("x"))
    prototxt, weights, kind = googlenet_files()
    model = Model(str(prototxt), str(weights), args.gpu)
    clip = VideoDream(model=model, height=height, width=width, first=("layer", args.layer),
                      targets={("layer", args.layer): ""}, table={},
                      defaults=dict(layer=args.layer, objective=None, step_size=1.5, iters_next=args.iters_next,
                                    blend=0.5, decay=0.9),
                      iters=args.iters, octaves=args.octaves, octave_scale=1.4, jitter=32).for_run(7, {})
    clip.prepare(cached_net(model))  # loaded and planned once, outside the timings
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        name, photo = sky_photo(None)
        panning_clip(work / "in", photo, width, height, args.frames)
        source = VideoSource(work / "in", fps=25)
        print(f"{args.frames} frames of {width}x{height} panning across {name}; {args.layer}, {args.octaves} "
              f"octaves, {args.iters}/{args.iters_next} steps; GoogLeNet with {kind}, "
              f"{'GPU ' + str(args.gpu) if args.gpu is not None else 'CPU'}, {os.cpu_count()} cores")
        print(f"{'round':>5s} {'plain s/frame':>13s} {'pipeline s/frame':>16s} {'plain/pipeline':>14s} same bytes")
        ratios = []
        for r in range(args.rounds):
            order = [False, True] if r % 2 == 0 else [True, False]
            seconds = {}
            for pipelined in order:
                seconds[pipelined] = dream_clip(clip, source, work / f"{r}-{pipelined}", pipelined) / args.frames
            same = all((work / f"{r}-False" / f.name).read_bytes() == f.read_bytes()
                       for f in sorted((work / f"{r}-True").glob("*.png")))
            same = same and len(list((work / f"{r}-True").glob("*.png"))) == args.frames
            ratios.append(seconds[False] / seconds[True])
            print(f"{r:5d} {seconds[False]:13.3f} {seconds[True]:16.3f} {ratios[-1]:14.3f} {same}")
            if not same:
                raise SystemExit("the pipeline's frames differ from the plain loop's")
        print(f"median plain/pipeline: {float(np.median(ratios)):.3f}")


if __name__ == "__main__":
    main()
