"""What a GPU's memory holds now, asked of the driver's nvidia-smi: no CUDA call in this process, so
asking can neither abort it nor take a context on the device before Caffe does."""
import os
import subprocess


def driver_id(gpu):
    """The id nvidia-smi knows GPU `gpu` by: CUDA numbers the GPUs $CUDA_VISIBLE_DEVICES lists, in its
    order (numbers or UUIDs, both of which nvidia-smi takes); without it, the same number."""
    visible = [v.strip() for v in os.environ.get("CUDA_VISIBLE_DEVICES", "").split(",") if v.strip()]
    return visible[gpu] if "CUDA_VISIBLE_DEVICES" in os.environ and gpu < len(visible) else str(gpu)


def gpu_memory(gpu):
    """(free, total) bytes of CUDA device `gpu` now, or None where the driver cannot say (no nvidia-smi,
    no such GPU)."""
    try:
        out = subprocess.run(["nvidia-smi", f"--id={driver_id(gpu)}", "--query-gpu=memory.free,memory.total",
                              "--format=csv,noheader,nounits"], capture_output=True, text=True, timeout=30)
        free, total = (int(v) * 2**20 for v in out.stdout.strip().splitlines()[0].split(","))  # MiB
    except (OSError, subprocess.TimeoutExpired, ValueError, IndexError):
        return None
    return (free, total) if out.returncode == 0 else None
