"""The device loop's control flow (dream/device/loop.py) on the CPU, its kernels the numpy references:
the notebook's bytes, and never a blob's .data or .diff read by the loop itself."""
import numpy as np
import pytest

import dream
import notebook_oracle as nb
from dream.device.host_stand_in import HostStandIn
from dream.device.loop import deepdream_on_device, unsupported
from dream.errors import DreamError


def notebook_story(dream_fn, net, img):
    """A default dream, then one at a layer inside a module on the same net (its stale diffs matter)."""
    return [dream_fn(net, img, iter_n=3, octave_n=3),
            dream_fn(net, img, iter_n=2, octave_n=2, end='inception_3b/5x5_reduce')]


def test_the_device_loop_gives_the_notebooks_bytes(googlenet, small_photo):
    np.random.seed(7)
    theirs = notebook_story(nb.deepdream, nb.load_net(*googlenet), small_photo)
    np.random.seed(7)
    ours = notebook_story(lambda *a, **k: deepdream_on_device(*a[:2], HostStandIn(), **k),
                          dream.load_net(*googlenet), small_photo)
    for a, b in zip(ours, theirs):
        assert a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()
    assert np.abs(ours[0] - small_photo).max() > 1  # it dreamed


def test_its_progress_and_rng_are_the_host_loops(load, small_photo):
    seen = []
    host = dream.deepdream(load(), small_photo, iter_n=2, octave_n=2, rng=np.random.RandomState(3),
                           progress=lambda octave, i, data: seen.append((octave, i, data.copy())))
    device_seen = []
    device = deepdream_on_device(load(), small_photo, HostStandIn(), iter_n=2, octave_n=2,
                                 rng=np.random.RandomState(3),
                                 progress=lambda octave, i, data: device_seen.append((octave, i, data.copy())))
    assert host.tobytes() == device.tobytes()
    assert [(o, i) for o, i, _ in seen] == [(o, i) for o, i, _ in device_seen] == [(0, 0), (0, 1), (1, 0), (1, 1)]
    assert all(a.tobytes() == b.tobytes() for (_, _, a), (_, _, b) in zip(seen, device_seen))


class GuardedBlob:
    """A blob whose .data and .diff raise: what the loop may not touch. The stand-in unwraps it, as a
    GPU device reads the blob's device pointers."""

    def __init__(self, blob):
        self.unguarded = blob

    def __getattr__(self, name):
        if name in ("data", "diff"):
            raise AssertionError(f"the device loop read a blob's .{name}")
        return getattr(self.unguarded, name)


class GuardedNet:
    def __init__(self, net):
        self._net = net
        self.blobs = {name: GuardedBlob(blob) for name, blob in net.blobs.items()}

    def __getattr__(self, name):
        if name in ("forward", "backward"):  # pycaffe's forward/backward read .data/.diff of their outputs
            raise AssertionError(f"the device loop called net.{name}")
        return getattr(self._net, name)


class UnwrappingStandIn(HostStandIn):
    def buffer(self, blob, which):
        return super().buffer(blob.unguarded, which)


def test_the_device_loop_never_reads_data_or_diff(load, small_photo):
    net = load()
    np.random.seed(5)
    guarded = deepdream_on_device(GuardedNet(net), small_photo, UnwrappingStandIn(), iter_n=2, octave_n=2)
    np.random.seed(5)
    assert guarded.tobytes() == dream.deepdream(load(), small_photo, iter_n=2, octave_n=2).tobytes()
    with pytest.raises(AssertionError, match="read a blob's .data"):
        GuardedNet(net).blobs['data'].data  # the guard works


class CountedDownloads(HostStandIn):
    downloads = 0

    def download(self, array):
        self.downloads += 1
        return super().download(array)


def test_progress_copies_the_image_only_when_asked(load, small_photo):
    """A progress bar reads the shape alone: nothing comes to the host but the result. A callback that
    asks for the pixels gets the host loop's, one copy each time it asks."""
    device = CountedDownloads()
    shapes = []
    deepdream_on_device(load(), small_photo, device, iter_n=2, octave_n=2,
                        progress=lambda octave, i, data: shapes.append(data.shape))
    assert device.downloads == 1 and len(shapes) == 4 and shapes[-1] == (3, *small_photo.shape[:2])
    asked, pixels = CountedDownloads(), []
    deepdream_on_device(load(), small_photo, asked, iter_n=2, octave_n=2, rng=np.random.RandomState(3),
                        progress=lambda octave, i, data: i == 1 and pixels.append(np.asarray(data)))
    assert asked.downloads == 1 + 2 and len(pixels) == 2
    seen = []
    dream.deepdream(load(), small_photo, iter_n=2, octave_n=2, rng=np.random.RandomState(3),
                    progress=lambda octave, i, data: i == 1 and seen.append(data.copy()))
    assert [a.tobytes() for a in pixels] == [b.tobytes() for b in seen]


def test_what_the_device_loop_does_not_take_is_named():
    assert unsupported() is None
    assert unsupported(mask=np.ones((4, 4), np.float32)) is None
    assert "float32 mask" in unsupported(mask=np.ones((4, 4)))  # float64 would make the host's g float64
    assert "tiled" in unsupported(plans=[None, object()])


def test_which_layers_the_host_seeds(load):
    from dream.device.gradient import DeviceGradient
    net = load()
    on_host = lambda objective: DeviceGradient(net, objective, 'inception_4c/output').on_the_host
    assert on_host(dream.objective_L2) == []
    assert on_host(0.5 * dream.layer_l2('inception_3a/output') - dream.channel('conv2/3x3', 3)) == []
    assert on_host(dream.neuron('inception_3a/output', 3) + dream.channel('conv2/3x3', 3)) == ['inception_3a/output']
    guide = dream.objective_guide(np.zeros((3, 2, 2), np.float32))
    assert on_host(guide) == ['inception_4c/output']
    assert on_host(guide + dream.layer_l2('inception_4c/output')) == ['inception_4c/output']


def test_a_masked_dream_is_the_host_loops(load, small_photo):
    """A feathered mask with a dark band, zoomed to each of three octaves from the whole one and
    jittered with the image: the host loop's bytes."""
    h, w = small_photo.shape[:2]
    mask = np.clip(np.random.RandomState(2).uniform(-0.5, 1.5, (h, w)), 0, 1).astype(np.float32)
    mask[:, w // 3:w // 2] = 0
    host = dream.deepdream(load(), small_photo, iter_n=2, octave_n=3, mask=mask, rng=np.random.RandomState(4))
    device = deepdream_on_device(load(), small_photo, HostStandIn(), iter_n=2, octave_n=3, mask=mask,
                                 rng=np.random.RandomState(4))
    assert host.tobytes() == device.tobytes()
    unmasked = dream.deepdream(load(), small_photo, iter_n=2, octave_n=3, rng=np.random.RandomState(4))
    assert np.abs(device - unmasked).max() > 1  # the mask mattered


OBJECTIVES = {
    "layer_l2 elsewhere": lambda: dream.layer_l2('inception_3a/output'),
    "a channel": lambda: dream.channel('inception_4c/output', 7),
    "weighted, two layers": lambda: 0.7 * dream.layer_l2('inception_3a/output') + 0.3 * dream.channel('inception_3b/output', 5),
    "negative weights, one layer": lambda: dream.layer_l2('inception_3b/output') - 2.5 * dream.channel('inception_3b/output', 3),
    "three layers": lambda: (dream.channel('conv2/3x3', 1) + 0.1 * dream.layer_l2('inception_3a/output')
                             + dream.channel('inception_4a/output', 2)),
}


@pytest.mark.parametrize("name", OBJECTIVES)
def test_objectives_the_device_seeds_are_the_host_loops(name, load, small_photo):
    """Each kind of seed, scaled and summed on one layer and over several (one backward each, the stale
    diffs cleared, the gradients added in the net's order): the host loop's bytes."""
    host = dream.deepdream(load(), small_photo, iter_n=2, octave_n=2, objective=OBJECTIVES[name](),
                           rng=np.random.RandomState(6))
    device = deepdream_on_device(load(), small_photo, HostStandIn(), iter_n=2, octave_n=2,
                                 objective=OBJECTIVES[name](), rng=np.random.RandomState(6))
    assert host.tobytes() == device.tobytes()
    assert np.abs(device - small_photo).max() > 1


def notebook_kind_objective(dst):
    """A user's objective as the notebook wrote them: writes dst.diff from dst.data."""
    dst.diff[:] = np.sign(dst.data) * np.sqrt(np.abs(dst.data))


def accumulating_objective(dst):
    """One that reads dst.diff: the seed grows with each step (the host's diff keeps the last one)."""
    dst.diff[:, :16] += dst.data[:, :16]


HOST_SEEDED = {
    "a neuron": lambda guide: dream.neuron('inception_3b/output', 4),
    "a neuron and a channel elsewhere": lambda guide: (dream.neuron('inception_3a/output', 2, 3, 4)
                                                       + 0.5 * dream.channel('inception_3b/output', 5)),
    "a guide": lambda guide: dream.objective_guide(guide),
    "a guide and the layer's L2": lambda guide: dream.objective_guide(guide) + 0.25 * dream.layer_l2('inception_4c/output'),
    "the notebook's kind of function": lambda guide: notebook_kind_objective,
    "a function that reads its diff": lambda guide: accumulating_objective,
}


@pytest.mark.parametrize("name", HOST_SEEDED)
def test_seeds_the_host_makes_are_the_host_loops(name, load, small_photo):
    """A layer whose seed the device cannot make has it made on the host, by the host loop's own code,
    from a copy of that layer: the host loop's bytes, and the image never leaves the device."""
    guide = dream.guide_features(load(), small_photo[::-1, ::-1].copy(), end='inception_4c/output')
    host = dream.deepdream(load(), small_photo, iter_n=2, octave_n=2, objective=HOST_SEEDED[name](guide),
                           rng=np.random.RandomState(8))
    device = deepdream_on_device(GuardedNet(load()), small_photo, UnwrappingStandIn(), iter_n=2, octave_n=2,
                                 objective=HOST_SEEDED[name](guide), rng=np.random.RandomState(8))
    assert host.tobytes() == device.tobytes()
    assert np.abs(device - small_photo).max() > 1
    plain = dream.deepdream(load(), small_photo, iter_n=2, octave_n=2, rng=np.random.RandomState(8))
    assert np.abs(device - plain).max() > 1  # the objective mattered


def test_exact_gradients_are_the_host_loops(load, small_photo):
    """The notebook's L2 at a layer inside a module after a default dream on the same net: its stale
    diffs cleared (exact_gradient) or not, as the host loop does."""
    for exact in (False, True):
        nets = load(), load()
        outs = []
        for net, run in zip(nets, (dream.deepdream, lambda *a, **k: deepdream_on_device(*a[:2], HostStandIn(), **k))):
            run(net, small_photo, iter_n=1, octave_n=1, rng=np.random.RandomState(2))
            outs.append(run(net, small_photo, iter_n=2, octave_n=2, end='inception_3b/5x5_reduce',
                            exact_gradient=exact, rng=np.random.RandomState(3)))
        assert outs[0].tobytes() == outs[1].tobytes(), exact


def test_a_gradient_that_overflows_stops_before_caffe_sees_it(load, small_photo):
    class Overflowing(HostStandIn):
        def mean_abs(self, array):
            return np.float32(np.inf)
    with pytest.raises(DreamError, match="not finite"):
        deepdream_on_device(load(), small_photo, Overflowing(), iter_n=1, octave_n=1)


def test_the_command_line_dreams_in_the_device_loop_when_asked_with_the_same_bytes(googlenet, photo_file, tmp_path):
    """DREAM_DEVICE_LOOP=1 on the CPU: the stand-in, through every layer of the command line, with and
    without a mask and a guide; a dream the loop cannot take (a float64 mask) says so and takes the host
    loop."""
    import os
    import subprocess
    import sys
    args = ["--prototxt", str(googlenet[0]), "--weights", str(googlenet[1]), "--octaves", "2", "--iters", "2",
            "--seed", "3"]

    def run(out, env, *extra):
        r = subprocess.run([sys.executable, "-m", "dream", str(photo_file), "-o", str(tmp_path / out), *args, *extra],
                           capture_output=True, text=True, env=env, timeout=300)
        assert r.returncode == 0, r.stderr
        return (tmp_path / out).read_bytes(), r.stderr
    plain, _ = run("plain.png", dict(os.environ, DREAM_DEVICE_LOOP="0"))
    device, said = run("device.png", dict(os.environ, DREAM_DEVICE_LOOP="1"))
    assert device == plain and "host loop" not in said
    mask = tmp_path / "mask.png"
    import PIL.Image
    size = PIL.Image.open(photo_file).size
    half = PIL.Image.new("L", size, 0)
    half.paste(255, (0, 0, size[0] // 2, size[1]))
    half.save(mask)
    masked_plain, _ = run("masked-plain.png", dict(os.environ, DREAM_DEVICE_LOOP="0"), "--mask", str(mask))
    masked, said = run("masked.png", dict(os.environ, DREAM_DEVICE_LOOP="1"), "--mask", str(mask))
    assert masked == masked_plain and masked != plain and "host loop" not in said
    guided_plain, _ = run("guided-plain.png", dict(os.environ, DREAM_DEVICE_LOOP="0"), "--guide", str(photo_file))
    guided, said = run("guided.png", dict(os.environ, DREAM_DEVICE_LOOP="1"), "--guide", str(photo_file))
    assert guided == guided_plain and guided != plain and "host loop" not in said


def test_deepdream_takes_the_device_loop_only_when_asked(load, small_photo, monkeypatch):
    steps = []
    original = HostStandIn.mean_abs
    monkeypatch.setattr(HostStandIn, "mean_abs", lambda self, g: steps.append(1) or original(self, g))
    monkeypatch.setenv("DREAM_DEVICE_LOOP", "1")
    asked = dream.deepdream(load(), small_photo, iter_n=2, octave_n=2, rng=np.random.RandomState(1))
    assert len(steps) == 4  # every step of both octaves took it
    dream.deepdream(load(), small_photo, iter_n=2, octave_n=2, exact_gradient=True, rng=np.random.RandomState(1))
    assert len(steps) == 8  # exact gradients too
    del steps[4:]
    monkeypatch.delenv("DREAM_DEVICE_LOOP")
    plain = dream.deepdream(load(), small_photo, iter_n=2, octave_n=2, rng=np.random.RandomState(1))
    assert len(steps) == 4 and asked.tobytes() == plain.tobytes()


def test_why_the_host_loop_dreams_is_said_once_a_process(load, small_photo, monkeypatch, capsys):
    """A video asks at every frame; the reason is one line, once."""
    from dream.engine import octaves
    monkeypatch.setattr(octaves, "_SAID", set())  # whatever an earlier test in this process made it say
    monkeypatch.setenv("DREAM_DEVICE_LOOP", "1")
    mask = np.ones(small_photo.shape[:2])  # float64
    net = load()
    for _ in range(2):
        dream.deepdream(net, small_photo, iter_n=1, octave_n=1, mask=mask, rng=np.random.RandomState(0))
    assert capsys.readouterr().err.count("the host loop dreams this: the device loop takes a float32 mask") == 1
