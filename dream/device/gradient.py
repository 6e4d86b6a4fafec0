"""An objective's image gradient on the device, in the host's order of operations
(dream.engine.objective.Objective.input_gradient): one forward to the deepest layer; then per layer, in
the net's order, the stale diffs cleared (where the objective names its layers, or exact_gradient asks),
the layer's seed, a backward; the gradients summed in that order.

The seeds the device makes are the terms whose seed function carries a `device_seed` (see `seed_kind`):
the layer's own activations (the notebook's objective_L2, layer_l2) and one channel (channel), each
scaled by its weight as numpy scales it (the Python float rounded to float32, then one float32 product)
and summed in the terms' order.

A layer with any other term (a guide, a neuron, a class, a function of the notebook's kind) is seeded on
the host, by the host loop's own code (Objective.seed) on a copy of that layer's activations: its blob
goes down and its seed comes up, two copies of one layer a step, while the image stays on the device.
The guide needs it: its argmax over dot products would take a GPU matrix product equal to numpy's BLAS
bit for bit to match the host loop, and a near tie would flip on any other."""
import numpy as np

from ..engine.objective import notebook_objective

ON_THE_HOST = "host"  # a layer's seed that the host's Objective.seed makes


def seed_kind(seed):
    """("activations",), ("channel", c), or None: what the device makes of a term's seed function."""
    return getattr(seed, "device_seed", None)


class DeviceGradient:
    """What the device does for one objective at one step's layer `end`: built once a dream (the
    layers' order and the blobs to clear), run at every step."""

    def __init__(self, net, objective, end, exact_gradient=False):
        self.objective = objective = notebook_objective(objective)
        self.end = end
        order = list(net._layer_names)
        self.layers = [(layer, order.index(layer), self._seeds(objective, layer, end))
                       for layer in objective.layers_in_order(net, end)]
        self.deepest = self.layers[-1][1]
        # the host-seeded layers with a function of the notebook's kind, which is given the diff as it stands
        self.reads_diff = {layer for layer, _, seeds in self.layers if seeds == ON_THE_HOST and any(
            getattr(seed, "reads_diff", False) for _, _, seed in objective.terms_on(layer, end))}
        self.clears = exact_gradient or objective.names_its_layers
        names = order[:self.deepest + 1]
        self.cleared = list(dict.fromkeys(b for name in names for b in (*net.bottom_names[name], *net.top_names[name])))
        self._scratch = {}  # (what, shape) -> the device's array, kept: freeing GPU memory waits for the GPU

    @staticmethod
    def _seeds(objective, layer, end):
        """The layer's seed: None for the notebook's own objective alone (the activations as they are),
        ON_THE_HOST where a term's seed is not the device's, else [(kind, weight), ...] in the terms'
        order (summed as numpy's sum() does: from 0)."""
        mine = objective.terms_on(layer, end)
        kinds = [seed_kind(seed) for _, _, seed in mine]
        if None in kinds:
            return ON_THE_HOST
        if objective.is_plain(mine):
            return None
        return [(kind, w) for kind, (_, w, _) in zip(kinds, mine)]

    @property
    def on_the_host(self):
        """The layers whose seeds the host makes (each a copy down and up a step), in the net's order."""
        return [layer for layer, _, seeds in self.layers if seeds == ON_THE_HOST]

    def __call__(self, net, device):
        """The image gradient, 3 x H x W: the input blob's diff buffer (one layer), or the device's sum."""
        net._forward(0, self.deepest)
        total = None
        for layer, index, seeds in self.layers:
            if self.clears:
                for blob in self.cleared:
                    device.zero(device.buffer(net.blobs[blob], 'diff'))
            dst = net.blobs[layer]
            diff = device.buffer(dst, 'diff')
            if seeds is None:
                device.copy(diff, device.buffer(dst, 'data'))  # the notebook's dst.diff[:] = dst.data
            elif seeds == ON_THE_HOST:
                device.upload_into(diff, self._host_seed(device, layer, dst, diff))
            else:
                self._seed(device, diff, device.buffer(dst, 'data'), seeds)
            net._backward(index, 0)
            g = device.buffer(net.blobs['data'], 'diff')
            if len(self.layers) == 1:
                return g
            if total is None:
                total = self._array(device, "total", g.shape)
                device.copy(total, g)
            else:
                device.add_into(total, total, g)
        return total

    def _host_seed(self, device, layer, dst, diff):
        """The host loop's seed for `layer` (Objective.seed, then seed_diff's assignment into a float32
        diff), from a copy of the layer's activations; and of its diff as it stands (the last step's
        seed, where nothing cleared it) for a function of the notebook's kind, which writes dst.diff
        itself and may write part of it, as the host loop's would."""
        blob = HostBlob(device.download(device.buffer(dst, 'data'))[None])
        if layer in self.reads_diff:
            blob.diff[0] = device.download(diff)
        blob.diff[:] = self.objective.seed(layer, blob, self.end)
        return blob.diff[0]

    def _array(self, device, what, shape):
        key = (what, tuple(shape))
        if key not in self._scratch:
            self._scratch[key] = device.empty(shape)
        return self._scratch[key]

    def _seed(self, device, diff, data, seeds):
        """diff = w1 * s1 + w2 * s2 + ..., each product in float32 and the sum in the terms' order."""
        term = self._array(device, "term", diff.shape) if len(seeds) > 1 else diff
        for k, ((kind, *args), weight) in enumerate(seeds):
            out = diff if k == 0 else term
            if kind == "activations":
                device.scale(out, weight, data)
            else:
                device.channel_seed(out, weight, args[0])
            if k > 0:
                device.add_into(diff, diff, term)


class HostBlob:
    """A layer's blob on the host, as a seed function sees pycaffe's: its activations (.data, 1 x C x ...),
    a diff for the seed (zeros, or the device's copied in where the seed reads it), and pycaffe's
    shape properties. Writes to .data stay here (the host loop's forward would overwrite them)."""

    def __init__(self, data):
        self.data = data
        self.diff = np.zeros_like(data)

    @property
    def shape(self):
        return self.data.shape

    @property
    def count(self):
        return self.data.size

    num = property(lambda self: self.shape[0])
    channels = property(lambda self: self.shape[1])
    height = property(lambda self: self.shape[2])
    width = property(lambda self: self.shape[3])
