"""dream on a GPU, measured in one run: the notebook's default dream on the GPU against this machine's
CPU cores, a 12 MP photo untiled and tiled (the same bytes or not), video frames per second at 640x360
and 1920x1080, and the GPU memory each run took. Prints a table last.

    python benchmarks/bench_gpu.py --weights W [--image sky1024px.jpg] [--device gpu|cpu] [--small]

scripts/gpu_check.sh runs it on a lent GPU machine. Every run is its own process (a fresh Caffe, and
its exit checked: a CUDA build must not abort at exit). GPU memory: the device's used memory, polled
every 0.1 s while the run lasts, less what was used before it (Caffe keeps what it allocates, so this
is the run's peak). --device cpu --small runs the same code at small sizes on the CPU: the rehearsal.
"""
import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PROTOTXT = REPO / "dream" / "model_definitions" / "bvlc_googlenet" / "deploy.prototxt"
LAYER = "inception_4c/output"


# --- one run, in a child process ------------------------------------------------------------------
def photo(args, height, width):
    """The sky photo (or scikit-image's astronaut) resized to height x width, float32 RGB."""
    import numpy as np
    import scipy.ndimage as nd
    import skimage.data
    import dream
    img = dream.load_image(args.image) if args.image else np.float32(skimage.data.astronaut())
    return np.float32(np.clip(nd.zoom(img, (height / img.shape[0], width / img.shape[1], 1), order=1), 0, 255))


def dream_once(args):
    """One deepdream of the given size, --repeat times in this process; prints a JSON line."""
    import numpy as np
    import dream
    img = photo(args, args.height, args.width)
    net = dream.load_net(PROTOTXT, args.weights, gpu=0 if args.device == "gpu" else None)
    budget = None
    if args.budget_share:  # this process's memory now, and a share of what the whole photo's dream needs
        from dream.network.memory import own_rss
        budget = own_rss() + int(dream.dream_bytes(net, args.height, args.width, [LAYER]) * args.budget_share)
    plans = dream.plan_octaves(net, args.height, args.width, ends=(LAYER,), max_memory=budget)
    tiles = sum(len(p) for p in plans if p is not None)
    times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        out = dream.deepdream(net, img, iter_n=args.iters, end=LAYER, rng=np.random.RandomState(0), plans=plans)
        times.append(time.perf_counter() - started)
    np.save(args.save, np.uint8(np.clip(out, 0, 255)))
    print(json.dumps({"times": times, "tiles": tiles, "budget": budget}))


# --- the parent: runs, memory, table ----------------------------------------------------------------
class GpuMemory:
    """The device's used memory, polled while a run lasts; None on the CPU or without NVML (pynvml)."""

    def __init__(self, gpu):
        self.handle = None
        if not gpu:
            return
        try:
            import pynvml
            pynvml.nvmlInit()
            self.handle, self.nvml = pynvml.nvmlDeviceGetHandleByIndex(0), pynvml
        except Exception:
            self.handle = None

    def used(self):
        return self.nvml.nvmlDeviceGetMemoryInfo(self.handle).used

    def during(self, proc):
        """Peak used memory less the memory used at the start, in bytes, while `proc` runs."""
        if self.handle is None:
            proc.wait()
            return None
        base, peak = self.used(), 0
        while proc.poll() is None:
            peak = max(peak, self.used())
            time.sleep(0.1)
        return max(peak - base, 0)


def run(cmd, memory, env=None):
    """(stdout, peak GPU memory, seconds); a failed or aborting run raises."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    out = []
    reader = threading.Thread(target=lambda: out.append(proc.communicate()))
    reader.start()
    peak = memory.during(proc)
    reader.join()
    stdout, stderr = out[0]
    if proc.returncode != 0 or "Check failed" in stderr:
        raise RuntimeError(f"{' '.join(map(str, cmd[:6]))}... exited {proc.returncode}: {stderr.strip()[-800:]}")
    return stdout, peak, time.perf_counter() - started


def dream_run(args, memory, device, height, width, name, repeat=1, budget_share=None, python=None, env=None):
    cmd = [python or sys.executable, __file__, "--one", "--weights", str(args.weights), "--device", device,
           "--height", str(height), "--width", str(width), "--iters", str(args.iters), "--repeat", str(repeat),
           "--save", str(args.work / f"{name}.npy")]
    cmd += ["--image", str(args.image)] if args.image else []
    cmd += ["--budget-share", str(budget_share)] if budget_share else []
    stdout, peak, _ = run(cmd, memory, env)
    return json.loads(stdout.strip().splitlines()[-1]), peak


def difference(args, a, b):
    """'bit-identical', or the largest and mean difference in grey levels of two saved uint8 images."""
    import numpy as np
    x, y = (np.load(args.work / f"{n}.npy").astype(int) for n in (a, b))
    if np.array_equal(x, y):
        return "bit-identical"
    d = np.abs(x - y)
    return f"differ: max {d.max()}, mean {d.mean():.3f} grey levels, {100 * (d > 0).mean():.1f}% of values"


def pan_frames(args, folder, height, width, count):
    """A clip panning 4 px a frame across the photo, as PNG frames."""
    import numpy as np
    import PIL.Image
    big = photo(args, height + 8, width + 4 * count)
    folder.mkdir(parents=True, exist_ok=True)
    for t in range(count):
        PIL.Image.fromarray(np.uint8(big[4:4 + height, 4 * t:4 * t + width])).save(folder / f"{t:04d}.png")


def video_run(args, memory, device, height, width, count):
    """Frames per second once running: frames 2..N over the span between the files' writing."""
    frames, out = args.work / f"frames-{height}", args.work / f"video-{height}"
    pan_frames(args, frames, height, width, count)
    cmd = [sys.executable, "-m", "dream", "video", str(frames), "-o", str(out), "--prototxt", str(PROTOTXT),
           "--weights", str(args.weights), "--seed", "0", "--overwrite"] + (["--gpu", "0"] if device == "gpu" else [])
    _, peak, seconds = run(cmd, memory)
    written = sorted(p.stat().st_mtime for p in out.glob("*.png"))
    if len(written) != count:
        raise RuntimeError(f"video wrote {len(written)} frames of {count}")
    return (count - 1) / max(written[-1] - written[0], 1e-3), peak, seconds


def gib(n):
    return "n/a" if n is None else f"{n / 2**30:.2f} GiB"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--weights", type=Path, required=True, help="a caffemodel for models/bvlc_googlenet")
    p.add_argument("--image", type=Path, help="the photo (default: scikit-image's astronaut)")
    p.add_argument("--device", choices=("gpu", "cpu"), default="gpu", help="where the dreams run (default gpu)")
    p.add_argument("--small", action="store_true", help="small sizes and 2 steps an octave: the CPU rehearsal")
    p.add_argument("--work", type=Path, default=Path("/tmp/bench-gpu"), help="scratch folder")
    p.add_argument("--budget", type=float, default=1e9, help="seconds; later measurements are skipped past it")
    p.add_argument("--compare-with", metavar="PYTHON",
                   help="also dream the default run on the CPU with this Python's own pycaffe (the CPU "
                        "build) and compare the bytes")
    p.add_argument("--note", action="append", default=[], help="a row to add to the table: 'what: result'")
    # a child's flags
    p.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    for flag, kind in (("--height", int), ("--width", int), ("--iters", int), ("--repeat", int),
                       ("--budget-share", float), ("--save", str)):
        p.add_argument(flag, type=kind, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.one:
        return dream_once(args)
    if args.iters is None:
        args.iters = 2 if args.small else 10
    args.work.mkdir(parents=True, exist_ok=True)
    memory = GpuMemory(args.device == "gpu")
    started = time.perf_counter()

    class Rows(list):  # each row printed as it is measured too: a run cut short keeps what it had
        def append(self, row):
            print("measured: " + " | ".join(row), flush=True)
            super().append(row)
    rows = Rows()
    dev = args.device.upper()
    cores = os.cpu_count()

    def over_budget(what):
        if time.perf_counter() - started > args.budget:
            rows.append((what, "skipped: past the time budget", "", ""))
            return True
        return False

    h, w = (144, 256) if args.small else (575, 1024)
    octaves = f"{h}x{w}... 4 octaves x {args.iters} steps"
    r, peak = dream_run(args, memory, args.device, h, w, "default", repeat=2)
    rows.append((f"default dream, {dev} (first run / second run)", f"{r['times'][0]:.2f} s / {r['times'][1]:.2f} s",
                 gib(peak), octaves))
    if args.device == "gpu":
        c, _ = dream_run(args, memory, "cpu", h, w, "default-cpu")
        rows.append((f"default dream, this machine's CPU ({cores} cores)", f"{c['times'][0]:.2f} s", "",
                     f"GPU {c['times'][0] / r['times'][1]:.1f}x faster (second run)"))
        rows.append(("default dream: GPU image against CPU image", difference(args, "default", "default-cpu"), "", ""))
    if args.compare_with:
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "LD_LIBRARY_PATH")}
        cmd_python = args.compare_with
        c, _ = dream_run(args, memory, "cpu", h, w, "default-cpu-build", python=cmd_python, env=env)
        rows.append(("default dream: this pycaffe against the CPU build's", difference(args, "default", "default-cpu-build"),
                     "", f"CPU build {c['times'][0]:.2f} s"))

    (h, w), share = ((900, 1200), 0.7) if args.small else ((3000, 4000), 0.3)  # shares that tile the top octaves
    if not over_budget(f"{h * w / 1e6:.1f} MP"):
        r, peak = dream_run(args, memory, args.device, h, w, "big")
        rows.append((f"{h * w / 1e6:.1f} MP photo ({w}x{h}), {dev}, untiled", f"{r['times'][0]:.2f} s", gib(peak), ""))
        t, peak = dream_run(args, memory, args.device, h, w, "big-tiled", budget_share=share)
        rows.append((f"{h * w / 1e6:.1f} MP photo, {dev}, tiled ({t['tiles']} tiles, budget {t['budget'] / 1e9:.2f} GB)",
                     f"{t['times'][0]:.2f} s", gib(peak), difference(args, "big", "big-tiled") + " vs untiled"))

    for (vh, vw), count in ((((90, 160) if args.small else (360, 640)), 3 if args.small else 12),
                            (((180, 320) if args.small else (1080, 1920)), 3 if args.small else 8)):
        if over_budget(f"video {vw}x{vh}"):
            continue
        fps, peak, seconds = video_run(args, memory, args.device, vh, vw, count)
        rows.append((f"video {vw}x{vh}, {dev} ({count} frames, flow: DIS on the CPU)", f"{fps:.2f} frames/s",
                     gib(peak), f"{1 / fps:.2f} s a frame; whole command {seconds:.1f} s"))
    for note in args.note:
        what, _, result = note.partition(": ")
        rows.append((what, result, "", ""))
    rows.append(("every run's process", "exited 0, no Caffe check failed", "", ""))

    print(f"\n| run | time | GPU memory | note |\n|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print(f"\n({time.perf_counter() - started:.0f} s in all)")


if __name__ == "__main__":
    sys.exit(main())
