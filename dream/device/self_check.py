"""Whether the device loop gives the host loop's bytes on this GPU with this build: checked once, in a
child process (a fault in a kernel there cannot take the dreaming process with it), and remembered for
this GPU, driver and build in the cache (~/.cache/dream/device-loop-checks.json). On a GPU the device
loop is the default only where its check passed (dream.engine.octaves.device_loop_for).

The check dreams three small dreams both ways on GoogLeNet with seeded random weights (the kernels do
not depend on the weights): the notebook's default, a weighted sum over two layers through a feathered
mask, and a guided dream (a seed made on the host). Run it by hand:

    python -m dream.device.self_check --gpu 0     (--cpu: the numpy stand-in, as the tests run it)
"""
import argparse
import hashlib
import json
import os
import subprocess
import sys
import threading
from functools import lru_cache
from pathlib import Path

HERE = Path(__file__).resolve().parent
VERDICT = "device loop vs host loop: "  # the check's last line, where it compared the loops
SAME = "the same bytes in all three dreams"
TIMEOUT_S = 300  # a first CUDA context and net on a cold machine take seconds; a hung check, not this


def cache_file():
    root = os.environ.get("DREAM_CACHE") or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "dream"
    return Path(root) / "device-loop-checks.json"


def build_key(gpu):
    """What the verdict depends on: the GPU and its driver (nvidia-smi's uuid and driver version), the
    pycaffe and kernel library files that would run (path, size, mtime), and the device loop's own
    code (dream/device's sources, by content: an update of dream checks again)."""
    from ..network.gpu_memory import driver_id
    try:
        smi = subprocess.run(["nvidia-smi", f"--id={driver_id(gpu)}", "--query-gpu=uuid,driver_version",
                              "--format=csv,noheader"], capture_output=True, text=True, timeout=30).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        smi = "no nvidia-smi"
    import caffe
    from .cuda_device import library_path
    files = [Path(caffe.__file__).parent / name for name in sorted(os.listdir(Path(caffe.__file__).parent))
             if name.startswith("_caffe") and name.endswith(".so")] + [Path(library_path())]
    stats = [f"{f}:{f.stat().st_size}:{f.stat().st_mtime_ns}" for f in files if f.exists()]
    code = hashlib.sha1(b"".join(f.read_bytes() for f in sorted(HERE.glob("*.py")))).hexdigest()
    return hashlib.sha1("\n".join([smi, *stats, code]).encode()).hexdigest()


def read_verdicts(path):
    """The kept verdicts ({key: {"passed", "said", "gpu"}}), {} where there are none or the file is not
    ours to read."""
    try:
        verdicts = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return verdicts if isinstance(verdicts, dict) else {}


def keep(path, key, verdict):
    """Add a verdict to the file, whole or not at all (processes and threads may check at once); where
    the cache cannot be written, the verdict holds for this process alone."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        verdicts = read_verdicts(path)
        verdicts[key] = verdict
        scratch = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        scratch.write_text(json.dumps(verdicts, indent=1))
        os.replace(scratch, path)
    except OSError as e:
        print(f"dream: the device loop's check is not kept ({path}: {e.strerror})", file=sys.stderr)


_ASKING = threading.Lock()  # one check at a time in a process: the web app's threads dream at once


def proven(gpu):
    """None where the device loop may dream on GPU `gpu` (its check passed, now or before), else why
    not, in one line. Asked once a process (a video asks at every frame): a check that could not run
    is tried again by the next process, not by this one."""
    with _ASKING:
        return _proven(gpu)


@lru_cache(maxsize=None)
def _proven(gpu):
    from .cuda_device import library_path
    if not os.path.exists(library_path()):
        return f"the device loop's kernels are not built ({library_path()} is missing)"
    path, key = cache_file(), build_key(gpu)
    verdict = read_verdicts(path).get(key)
    if not isinstance(verdict, dict) or "passed" not in verdict:
        print(f"dream: checking the device loop on GPU {gpu} against the host loop (once for this GPU and "
              f"build; {TIMEOUT_S} s at most)", file=sys.stderr)
        package_root = str(HERE.parent.parent)  # the child imports this dream, installed or not
        env = dict(os.environ, DREAM_DEVICE_LOOP="0",
                   PYTHONPATH=os.pathsep.join(filter(None, [package_root, os.environ.get("PYTHONPATH")])))
        try:
            r = subprocess.run([sys.executable, "-m", "dream.device.self_check", "--gpu", str(gpu)],
                               capture_output=True, text=True, timeout=TIMEOUT_S, env=env)
        except subprocess.TimeoutExpired:
            return f"the device loop's check did not finish in {TIMEOUT_S} s"  # not kept: it may be the machine
        except OSError as e:
            return f"the device loop's check could not start ({e.strerror})"
        said = [line for line in r.stdout.splitlines() if line.startswith(VERDICT)]
        if not said:  # it never compared (a crash, a GPU it could not share, as in exclusive-process mode):
            # not kept, so that the next process tries again
            return f"the device loop's check could not run on this GPU (it ended with status {r.returncode})"
        # the verdict line decides, not the exit status: a crash at exit after it changes nothing
        verdict = {"passed": said[-1] == VERDICT + SAME, "said": said[-1], "gpu": gpu}
        keep(path, key, verdict)
    if verdict["passed"]:
        return None
    return (f"the device loop's check failed on this GPU ({verdict['said']}); DREAM_DEVICE_LOOP=1 forces it, "
            f"and deleting {path} checks again")


def dreams(dream, net, img):
    """The check's dreams, as (name, deepdream's keyword arguments)."""
    import numpy as np
    h, w = img.shape[:2]
    mask = np.clip(np.random.RandomState(2).uniform(-0.5, 1.5, (h, w)), 0, 1).astype(np.float32)
    guide = dream.guide_features(net, np.ascontiguousarray(img[::-1]), end='inception_3b/output')
    return [("the notebook's default", dict(iter_n=3, octave_n=3)),
            ("two layers through a mask", dict(iter_n=2, octave_n=2, mask=mask, objective=(
                0.7 * dream.layer_l2('inception_3a/output') + 0.3 * dream.channel('inception_3b/output', 5)))),
            ("a guide", dict(iter_n=2, octave_n=2, end='inception_3b/output', objective=dream.objective_guide(guide)))]


def check(gpu, device=None):
    """Dream the check's dreams in both loops: (every one the same bytes, one line saying how they
    compare). device: the device loop's device (default: the GPU's kernels, or on the CPU the stand-in)."""
    net, device = check_net(gpu, device)
    return compare(net, device)


def check_net(gpu, device=None):
    """(GoogLeNet with seeded random weights on `gpu` (None: the CPU), the device loop's device)."""
    import tempfile

    import caffe
    import dream
    from ..download import DEFINITIONS
    prototxt = DEFINITIONS / "bvlc_googlenet" / "deploy.prototxt"
    caffe.set_mode_cpu()  # the random weights are drawn on the host, as the tests draw them
    caffe.set_random_seed(0)
    with tempfile.TemporaryDirectory() as folder:
        weights = Path(folder) / "random.caffemodel"
        caffe.Net(str(prototxt), caffe.TEST).save(str(weights))
        net = dream.load_net(prototxt, weights, gpu=gpu)
    if device is not None:
        return net, device
    if gpu is None:
        from .host_stand_in import HostStandIn
        return net, HostStandIn()
    from .cuda_device import CudaDevice
    return net, CudaDevice()


def compare(net, device):
    """(the check's dreams the same bytes in both loops, one line saying how they compare)."""
    import numpy as np

    import dream
    from .loop import deepdream_on_device
    img = np.random.RandomState(1).uniform(0, 255, (160, 208, 3)).astype(np.float32)
    differ = []
    for name, params in dreams(dream, net, img):
        host = dream.deepdream(net, img, rng=np.random.RandomState(3), **params)
        ours = deepdream_on_device(net, img, device, rng=np.random.RandomState(3), **params)
        if host.tobytes() != ours.tobytes():
            differ.append(f"{name}: max |diff| {np.abs(host - ours).max():.3g}")
        elif np.abs(ours - img).max() <= 1:
            differ.append(f"{name}: did not dream")  # a check that could pass without dreaming proves nothing
    return not differ, (SAME if not differ else "; ".join(differ))


def main(argv=None):
    """Exit 0 where the loops agree, 1 where they differ or the device loop failed (both on the last line
    of stdout, after VERDICT), 2 where the check could not start (no verdict: nothing compared)."""
    ap = argparse.ArgumentParser(prog="python -m dream.device.self_check", description=__doc__.split("\n\n")[0])
    where = ap.add_mutually_exclusive_group(required=True)
    where.add_argument("--gpu", type=int, help="the CUDA device to check")
    where.add_argument("--cpu", action="store_true", help="the numpy stand-in on the CPU")
    args = ap.parse_args(argv)
    os.environ["DREAM_DEVICE_LOOP"] = "0"  # dream.deepdream is the host loop here
    from ..errors import DreamError
    try:
        net, device = check_net(None if args.cpu else args.gpu)
    except DreamError as e:
        print(f"dream: the device loop's check could not start: {str(e).splitlines()[0]}", file=sys.stderr)
        return 2
    try:
        same, said = compare(net, device)
    except DreamError as e:  # a CUDA error in the device loop's kernels: a verdict
        same, said = False, str(e).splitlines()[0]
    print(VERDICT + said)
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
