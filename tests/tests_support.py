"""What several test files compute alike."""
from dream.engine.octaves import octave_sizes, plan_octaves
from dream.network.memory import OCTAVE_COPY_BYTES_PER_PIXEL, dream_bytes, own_rss


def budget_below_whole(net, img, octave_n, ends, fraction=1.0):
    """A max_memory that the largest octave, dreamed whole, exceeds (fraction 1: by one byte)."""
    sizes = octave_sizes(*img.shape[:2], octave_n)
    arrays = OCTAVE_COPY_BYTES_PER_PIXEL * sum(h * w for h, w in sizes)
    return own_rss() + arrays + fraction * dream_bytes(net, *img.shape[:2], ends) - 1


def budget_forcing_tiles(net, img, octave_n, ends):
    """A budget under which the largest octave is dreamed in more than one tile: well below the whole
    octave's, and after the garbage of earlier tests' nets is collected (Caffe's nets hold cycles): the
    process's memory then moves little between this and the plan."""
    import gc
    gc.collect()
    budget = budget_below_whole(net, img, octave_n, ends, fraction=0.6)
    plans = plan_octaves(net, *img.shape[:2], octave_n, 1.4, ends, None, budget)
    return budget if len(plans[-1]) > 1 else plans[-1].peak - 1


def free_udp_port():
    """A UDP port on 127.0.0.1 that nothing holds now."""
    import socket
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
