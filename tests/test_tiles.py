"""Tiled dreaming: with a budget that forces tiles, the same bytes as the untiled dream."""
import re

import numpy as np
import pytest
import skimage.data
import skimage.transform

import dream
from dream.network.memory import own_rss
from dream.engine.octaves import plan_octaves
from dream.network.receptive import tile_geometry
from dream.network.shapes import spatial_sizes
from dream.engine.tiles import plan_tiles
from tests_support import budget_below_whole, tiled_plans


def dream_both_ways(load, img, fraction=1.0, octave_n=3, iter_n=3, **params):
    """(untiled, tiled, plans): the same seeded dream on two fresh nets, the second within a budget
    of budget_below_whole(fraction)."""
    net_a, net_b = load(), load()
    ends = getattr(params.get('objective'), 'layers', None) or [params.get('end', 'inception_4c/output')]
    plans = tiled_plans(net_b, img, octave_n, ends, params.get('objective'), fraction)
    whole = dream.deepdream(net_a, img, iter_n=iter_n, octave_n=octave_n, rng=np.random.RandomState(7), **params)
    tiled = dream.deepdream(net_b, img, iter_n=iter_n, octave_n=octave_n, rng=np.random.RandomState(7),
                            plans=plans, **params)
    return whole, tiled, plans


def test_receptive_fields_of_googlenet(load):
    """The figures the exact margins rest on: 59 px at stride 8 for 3a, 299 px at stride 16 for 4c."""
    param = load().dream_param
    assert tile_geometry(param, ['inception_3a/output']) == ((8, 8), (64, 64))
    assert tile_geometry(param, ['inception_4c/output']) == ((16, 16), (304, 304))
    assert tile_geometry(param, ['inception_3a/output', 'inception_4c/output']) == ((16, 16), (304, 304))


def test_tiled_dream_equals_untiled_at_an_early_layer(load, photo):
    whole, tiled, plans = dream_both_ways(load, photo, 0.5, end='inception_3a/output')
    assert len(plans[-1]) >= 4  # a grid: inner edges on both axes
    assert np.array_equal(whole, tiled)


def test_tiled_dream_equals_untiled_at_4c(load, photo):
    # wider than two exact margins (2 x 304 px): the only size where 4c splits into tiles
    img = np.float32(skimage.transform.resize(photo, (200, 720), preserve_range=True))
    whole, tiled, plans = dream_both_ways(load, img, octave_n=2, iter_n=2)
    assert plans[0] is None  # the small octave whole, the large one in tiles: both kinds in one run
    assert np.array_equal(whole, tiled)


def test_tiled_guided_dream_equals_untiled(load, photo):
    guide = np.float32(skimage.transform.resize(skimage.data.astronaut(), (160, 160), preserve_range=True))
    end = 'inception_3b/output'
    nets = load(), load()
    objectives = [dream.objective_guide(dream.guide_features(n, guide, end)) for n in nets]
    plans = tiled_plans(nets[1], photo, 2, [end], objectives[1], fraction=0.6)
    whole = dream.deepdream(nets[0], photo, iter_n=3, octave_n=2, end=end, objective=objectives[0],
                            rng=np.random.RandomState(3))
    tiled = dream.deepdream(nets[1], photo, iter_n=3, octave_n=2, end=end, objective=objectives[1],
                            rng=np.random.RandomState(3), plans=plans)
    assert np.array_equal(whole, tiled)


def test_tiled_multi_layer_channel_objective_with_mask_equals_untiled(load, photo):
    objective = 0.7 * dream.layer_l2('inception_3a/output') + 0.3 * dream.channel('inception_3b/output', 5)
    mask = np.zeros(photo.shape[:2], np.float32)
    mask[:, 150:] = 1.0
    whole, tiled, plans = dream_both_ways(load, photo, 0.6, octave_n=2, iter_n=2, objective=objective, mask=mask)
    assert plans[-1].margin == (96, 96)  # the deeper layer's margin
    assert np.array_equal(whole, tiled)


def test_inexact_margin_differs_a_little(load, photo):
    """--tile-margin trades exactness for speed: close to the exact result, not equal to it."""
    end = 'inception_3a/output'
    whole = dream.deepdream(load(), photo, iter_n=2, octave_n=1, end=end, rng=np.random.RandomState(1))
    net = load()
    plans = plan_octaves(net, *photo.shape[:2], 1, 1.4, [end], None,
                         budget_below_whole(net, photo, 1, [end], fraction=0.5), tile_margin=8)
    assert plans[-1].margin == (8, 8)
    rough = dream.deepdream(net, photo, iter_n=2, octave_n=1, end=end, rng=np.random.RandomState(1), plans=plans)
    assert 0 < np.abs(whole - rough).mean() < 10


def test_small_margins_leave_no_tile_too_small_for_the_net(load, photo):
    """With --tile-margin 0 a split can leave a sliver (201 = 25*8 + 1 px at inception_3a), on which Caffe
    would abort: the planner never picks such a split, and of splits that cost the same (a margin of 0
    computes each pixel once) it takes the fewest tiles."""
    net, end = load(), 'inception_3a/output'
    img = photo[:120, :201]

    def takes(n):
        try:
            spatial_sizes(net.dream_param, n, n, end)
            return True
        except dream.DreamError:
            return False
    smallest_input = min(n for n in range(1, 64) if takes(n))
    budget, counts = np.inf, []
    while True:  # every plan from one tile to the smallest tiles: each next budget just below the last peak
        try:
            plan = plan_tiles(net, *img.shape[:2], [end], budget, 0, margin=0)
        except dream.DreamError:
            break
        assert min(b - a for a, b in plan.rows.tiles + plan.cols.tiles) >= smallest_input, plan.describe()
        counts.append(len(plan))
        budget = plan.peak - 1
    assert counts[0] == 1 and counts == sorted(counts) and counts[-1] > 100, str(counts)
    dream.deepdream(net, img, iter_n=1, octave_n=1, end=end, rng=np.random.RandomState(1), plans=[plan])


def test_a_neuron_cannot_be_tiled(load, photo):
    net = load()
    objective = dream.neuron('inception_3a/output', 3)
    budget = budget_below_whole(net, photo, 1, objective.layers, 0.5)  # well below: the process's memory moves
    with pytest.raises(dream.DreamError, match="needs about .* cannot be computed in tiles"):
        plan_octaves(net, *photo.shape[:2], 1, 1.4, objective.layers, objective, budget)


def test_a_budget_below_one_tile_names_the_minimum(load, photo):
    net = load()
    with pytest.raises(dream.DreamError, match=r"smallest tiles .* need \d+\.\d GB .* allow \d+\.\dG or more"):
        plan_octaves(net, *photo.shape[:2], 1, 1.4, ['inception_3a/output'], None, own_rss() + 1e6)


def test_max_memory_bounds_the_peak_of_a_large_dream(googlenet, photo, tmp_path):
    """A 2048x1536 dream at inception_3b/output with --max-memory 1G: the child's peak RSS stays under 1e9 bytes."""
    import subprocess
    import sys
    import PIL.Image
    big = tmp_path / "big.png"
    PIL.Image.fromarray(np.uint8(skimage.transform.resize(photo, (1536, 2048), preserve_range=True))).save(big)
    # VmHWM, the peak RSS of this program since its exec: ru_maxrss would also count the pytest
    # process's RSS, which a forked child starts from
    report = ("import atexit, sys; from dream.cli import main; from dream.network.memory import peak_rss; "
              "atexit.register(lambda: sys.stderr.write(f'VmHWM {peak_rss() // 1024}\\n')); "
              "sys.exit(main(sys.argv[1:]))")
    cmd = [sys.executable, "-c", report, str(big), "-o", str(tmp_path / "out.jpg"), "--layer", "inception_3b/output",
           "--max-memory", "1G", "--octaves", "2", "--iters", "1", "--seed", "1",
           "--prototxt", str(googlenet[0]), "--weights", str(googlenet[1])]
    r = subprocess.run(cmd, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert re.search(r"the 2048x1536 octave needs about \d+\.\d GB whole and the budget is 1\.0 GB: "
                     r"[12] of 2 octaves in tiles; the largest in \d+x\d+ tiles", r.stderr), r.stderr
    peak = int(r.stderr.strip().splitlines()[-1].split()[1]) * 1024
    print(f"peak {peak / 1e9:.3f} GB")
    assert peak < 1e9, f"peak {peak / 1e9:.3f} GB"
    assert (tmp_path / "out.jpg").is_file()


def test_this_blis_makes_tiles_exact():
    """dream knows this platform's BLIS (0.8's .so.3; 0.9, 1.x and 2.x's .so.4) and turned its
    small-matrix path off: the tests above would otherwise fail in the last bits, on this platform
    only. 1.x and 2.x show the thresholds they now use; 0.x keeps them where they cannot be read."""
    from dream.network import blas, net
    assert net.INEXACT_TILES is None
    lib = blas.loaded_blis()
    version = blas.blis_version(lib)
    expected = None if version.startswith(blas.SUP_THRESH_API) else (1, 1, 1)
    assert blas.sup_thresholds(lib, version) == expected, version


def test_exact_tiles_refused_where_the_blas_cannot_give_them(load, photo, monkeypatch):
    """On a BLAS dream does not know, exact tiles are refused with the reason, not given other bytes."""
    from dream.network import net as nets
    net = load()
    budget = budget_below_whole(net, photo, 3, ['inception_3a/output'], 0.5)
    monkeypatch.setattr(nets, "INEXACT_TILES", "BLIS 9.9 is a release dream does not know")
    with pytest.raises(dream.DreamError, match="not be the whole image's bytes here: BLIS 9.9"):
        plan_octaves(net, *photo.shape[:2], 3, 1.4, ['inception_3a/output'], None, budget)
    assert plan_octaves(net, *photo.shape[:2], 3, 1.4, ['inception_3a/output'], None, budget, 16)[-1]  # margin: asked for
    assert plan_octaves(net, *photo.shape[:2], 3, 1.4, ['inception_3a/output'], None, 1 << 40) == [None] * 3
