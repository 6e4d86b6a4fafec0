"""A tqdm bar over octaves and iterations, fed by deepdream's progress callback."""
from tqdm import tqdm


class DreamProgress:
    """Callable progress(octave, i, data) that advances one bar of octave_n * iter_n steps."""

    def __init__(self, octave_n, iter_n, **tqdm_args):
        self.octave_n, self.iter_n = octave_n, iter_n
        self.bar = tqdm(total=octave_n * iter_n, unit="step", dynamic_ncols=True, **tqdm_args)

    def __call__(self, octave, i, data):
        h, w = data.shape[-2:]
        self.bar.set_description(f"octave {octave + 1}/{self.octave_n} ({w}x{h})", refresh=False)
        self.bar.update(1)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.bar.close()
