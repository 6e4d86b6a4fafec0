"""python -m dream video in chunks: what a warm-up and its fade buy at the seams, and what workers buy.

    .venv/bin/python benchmarks/bench_chunks.py [--photo sky1024px.jpg] [--frames 64] [--chunk 16]
        [--size 256x144] [--warm-ups 0,2,4,8,16] [--cluster]

A clip panning right across one photo, 2 pixels a frame, dreamed with python -m dream
video's defaults (inception_4c/output, 4 octaves, 10 steps on a frame that starts from
itself, 5 on the others, DIS flow, decay 0.9):
1. in one piece (the sequential render), and again with another seed (how far apart two
   unrelated renders are);
2. in chunks of --chunk frames, for each warm-up length. At each seam (frame a-1 from one
   chunk, a from the next) it prints the warping error of a plain cut (flicker: |dream a -
   dream a-1 moved along the flow|, grey levels) against the sequential render's on the
   same pairs; how far the chunked frames are from the sequential ones (mean |difference|)
   at each chunk's first frame and over all frames after the first chunk; the warm-up's
   share of the work; and, with the warm-up faded in as python -m dream video writes it,
   the worst pair's warping error over the fade;
3. with --cluster, python -m dream video's default chunks (the clip shared out among the
   workers, warm-up 8) on a LocalCluster of 1 worker (all cores) and of one one-thread
   worker per core, against the sequential render in this process: frames per minute,
   and whether the cluster's frames are the bytes of the same chunks dreamed here; then
   the bytes a frame moves.
"""
import argparse
import dataclasses
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
os.environ.setdefault("GLOG_minloglevel", "3")

from bench_dream import googlenet_files, sky_photo  # noqa: E402
from bench_video import clips  # noqa: E402
from dream.cluster.batch import Model, cached_net, preload  # noqa: E402
from dream.network.blas import cores  # noqa: E402
from dream.video.chains import Chain, chunks, dream_here, dream_on_cluster, fade_in_warm_ups  # noqa: E402
from dream.video.clip import VideoDream  # noqa: E402
from dream.video.coherence import warping_error  # noqa: E402
from dream.images import load_image  # noqa: E402
from dream.video import frame_path  # noqa: E402


class InMemory:
    """A clip held in memory, read as VideoSource reads one."""
    def __init__(self, frames):
        self.list = frames

    def frames(self, start=0):
        return iter(self.list[start:])


def make_clip(model, height, width, layer="inception_4c/output"):
    defaults = dict(layer=layer, objective=None, step_size=1.5, iters_next=5, blend=0.5, decay=0.9)
    return VideoDream(model=model, height=height, width=width, first=("layer", layer), targets={("layer", layer): ""},
                      table={}, defaults=defaults, iters=10, octaves=4, octave_scale=1.4, jitter=32, seed=0)


def render(clip, frames, chunk, warm_up, client=None):
    """(dreams as uint8 arrays: cut, and faded as python -m dream video writes them; seconds; warm-up frames
    dreamed) of the clip cut into chunks."""
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        spans = chunks(len(frames), chunk, warm_up)
        chains = [Chain(span, InMemory(frames), folder) for span in spans]
        warm = []
        t0 = time.perf_counter()
        run = (lambda *a: dream_on_cluster(client, *a)) if client else dream_here
        run(clip, chains, lambda t, own: None, lambda t, own, data: own or warm.append(t))
        seconds = time.perf_counter() - t0

        def read():
            return [np.uint8(load_image(frame_path(folder, t))) for t in range(len(frames))]
        cut = read()
        fade_in_warm_ups(folder, spans)
        return cut, read(), seconds, len(warm)


def pair_error(frames, dreams, t):
    return warping_error(frames[t - 1:t + 1], dreams[t - 1:t + 1])


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--photo", help="photo to cut the clip from (default: the notebook's sky, else astronaut)")
    p.add_argument("--frames", type=int, default=64)
    p.add_argument("--chunk", type=int, default=16)
    p.add_argument("--size", default="256x144", help="WxH of the clip")
    p.add_argument("--warm-ups", default="0,2,4,8,16", help="none: ''")
    p.add_argument("--cluster", action="store_true", help="also time 1 and 2 workers")
    args = p.parse_args()
    width, height = map(int, args.size.split("x"))
    name, photo = sky_photo(args.photo)
    frames = list(clips(photo, width, height, args.frames).values())[1]
    prototxt, weights, kind = googlenet_files()
    model = Model(str(prototxt), str(weights))
    clip = make_clip(model, height, width)
    cached_net(model)
    print(f"a {args.frames}-frame {width}x{height} pan cut from {name}, chunks of {args.chunk}; python -m dream "
          f"video's defaults; GoogLeNet with {kind}; {cores()} cores")

    sequential, _, seq_s, _ = render(clip, frames, None, 0)
    boundaries = range(args.chunk, args.frames, args.chunk)
    all_pairs = warping_error(frames, sequential)
    seq_at = np.mean([pair_error(frames, sequential, a) for a in boundaries])
    print(f"sequential: {seq_s / args.frames:.2f} s a frame; warping error {all_pairs:.2f} over all pairs, "
          f"{seq_at:.2f} over the boundary pairs")
    other_seed, _, _, _ = render(dataclasses.replace(clip, seed=1), frames, None, 0)
    unrelated = np.mean([np.abs(np.float32(a) - b).mean() for a, b in zip(other_seed, sequential)])
    print(f"two unrelated renders (seeds 0 and 1) differ by {unrelated:.2f} a pixel")
    print(f"{'warm-up':>7s} {'boundary warping error':>22s} {'x sequential':>12s} {'|chunk - seq| first':>19s} "
          f"{'after chunk 1':>13s} {'extra work':>10s} {'crossfaded: worst pair':>22s} {'x sequential':>12s}")
    for warm_up in [int(w) for w in args.warm_ups.split(",") if w]:
        dreams, faded, _, warm = render(clip, frames, args.chunk, warm_up)
        at = np.mean([pair_error(frames, dreams, a) for a in boundaries])
        first = np.mean([np.abs(np.float32(dreams[a]) - sequential[a]).mean() for a in boundaries])
        later = np.mean([np.abs(np.float32(dreams[t]) - sequential[t]).mean() for t in range(args.chunk, args.frames)])
        worst = np.mean([max(pair_error(frames, faded, t) for t in range(max(1, a - warm_up), a + 1))
                         for a in boundaries])
        print(f"{warm_up:7d} {at:22.2f} {at / seq_at:12.2f} {first:19.2f} {later:13.2f} {warm / args.frames:10.0%} "
              f"{worst:22.2f} {worst / seq_at:12.2f}")

    if args.cluster:
        cluster_rows(clip, model, frames, sequential, seq_s)


def cluster_rows(clip, model, frames, sequential, seq_s, warm_up=8):
    """python -m dream video's default chunks (the clip shared out among the workers) on 1 and on
    `cores` one-thread workers, against the sequential render in this process."""
    from dream.cluster import dask_client
    count = len(frames)
    print(f"\n{'how':34s} {'chunks':>6s} {'s':>6s} {'frames/min':>10s} {'vs sequential':>13s} "
          f"{'dreamed/min':>11s} {'same bytes':>10s}")
    print(f"{'sequential, this process':34s} {1:6d} {seq_s:6.1f} {60 * count / seq_s:10.1f} {1:13.2f} "
          f"{60 * count / seq_s:11.1f} {'-':>10s}")
    for workers in (1, cores()):
        chunk = -(-count // workers)
        threads = max(1, cores() // workers)
        _, same_chunks_here, _, _ = render(clip, frames, chunk, warm_up)
        with dask_client(workers, threads) as client:
            client.run(preload, model)
            _, dreams, seconds, warm = render(clip, frames, chunk, warm_up, client)
        same = all(np.array_equal(a, b) for a, b in zip(dreams, same_chunks_here))
        if workers == 1:
            same = same and all(np.array_equal(a, b) for a, b in zip(dreams, sequential))
        print(f"{f'{workers} workers x {threads} threads, warm-up {warm_up}':34s} {-(-count // chunk):6d} "
              f"{seconds:6.1f} {60 * count / seconds:10.1f} {seq_s / seconds:13.2f} "
              f"{60 * (count + warm) / seconds:11.1f} {str(same):>10s}")
    png = np.mean([len(data) for data in encoded(sequential)])
    raw = frames[0].nbytes
    print(f"\nbytes a frame moves: the frame and the one before ({2 * raw / 1e3:.0f} kB as uint8) and the previous "
          f"dream ({png / 1e3:.0f} kB PNG) there, its dream ({png / 1e3:.0f} kB) back: "
          f"{(2 * raw + 2 * png) / 1e6:.2f} MB")


def encoded(dreams):
    from dream.images import encode_image
    return [encode_image(d, ".png") for d in dreams]


if __name__ == "__main__":
    main()
