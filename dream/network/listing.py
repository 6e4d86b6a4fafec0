"""What --list-layers prints: each name a dream can end at, its channels, its size at a photo's size, and
the in-place quirk (the notebook's forward(end=name) stops before the layers that rewrite that blob in
place, so a dream there reads the values before them: GoogLeNet's pre-ReLU 5x5_reduce)."""
from ..errors import DreamError
from .net import dream_layers
from .shapes import _layers, spatial_sizes


def in_place_after(net_param, name):
    """The types of the layers that rewrite blob `name` in place after layer `name` ('ReLU', ...)."""
    after, seen = [], False
    for layer in _layers(net_param):
        if seen and list(layer.bottom) == [name] and list(layer.top) == [name]:
            after.append(layer.type)
        seen = seen or layer.name == name
    return after


def _size_or_why(net_param, height, width, name):
    try:
        h, w = spatial_sizes(net_param, height, width, name)[name]
    except DreamError as e:
        return "-", ("needs the definition's input size" if "fixed input size" in str(e) else "too small for this size")
    return f"{w}x{h}", ""


def layer_rows(net, net_param, height, width):
    """[(name, channels, 'WxH' at a height x width photo, note)] of every dream layer, in net order."""
    rows = []
    for name in dream_layers(net):
        size, why = _size_or_why(net_param, height, width, name)
        after = in_place_after(net_param, name)
        note = "; ".join(x for x in [why, f"before its in-place {', '.join(after)}" if after else ""] if x)
        shape = net.blobs[name].shape
        rows.append((name, shape[1] if len(shape) > 1 else 1, size, note))
    return rows


def layer_table(rows, height, width):
    """The rows as aligned text, with a header that says the photo size the sizes are for."""
    head = ("layer", "channels", f"size at {width}x{height}", "note")
    widths = [max(len(str(r[i])) for r in [head, *rows]) for i in range(3)]
    lines = []
    for row in [head, *rows]:
        lines.append("  ".join(str(v).ljust(w) for v, w in zip(row[:3], widths)) + ("  " + row[3] if row[3] else ""))
    return "\n".join(line.rstrip() for line in lines)
