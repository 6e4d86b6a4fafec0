"""The library words its errors without the command line's flags; the command line puts them back
(dream.cli.common.with_flags), also through errors wrapped on the way up (a keyframes table's layer, a
chunk on a Dask worker), and the errors survive the trip from a worker."""
import pickle

import pytest

from dream.cli.common import with_flags
from dream.errors import DreamError
from dream.network.net import CPU_ONLY, GpuUnusable, UnknownLayer
from dream.objectives.expression import GUIDE_NEEDED, objective_from, parse_objective


def wrapped(error, where):
    """error as a caller re-raises it, with where it came from in front."""
    try:
        try:
            raise error
        except DreamError as e:
            raise DreamError(f"{where}{e}") from None
    except DreamError as e:
        return e


def test_a_layer_without_close_names_points_at_the_list():
    assert with_flags(UnknownLayer("zzz", [])) == "unknown layer 'zzz'; see --list-layers"
    assert with_flags(UnknownLayer("inception_4c/outptu", ["inception_4c/output"])) == \
        "unknown layer 'inception_4c/outptu'; did you mean inception_4c/output?"
    assert with_flags(wrapped(UnknownLayer("zzz", []), "--keyframes k.csv: ")) == \
        "--keyframes k.csv: unknown layer 'zzz'; see --list-layers"


def test_an_objective_is_named_as_the_flag_that_gave_it():
    with pytest.raises(DreamError) as refused:
        parse_objective("os.system('ls')")
    assert str(refused.value).startswith("objective \"os.system('ls')\": ")
    assert with_flags(refused.value) == "--" + str(refused.value)
    assert with_flags(wrapped(refused.value, "--keyframes k.csv: ")) == "--keyframes k.csv: --" + str(refused.value)
    with pytest.raises(DreamError) as unguided:
        objective_from("guide('inception_3b/output')", None)
    assert with_flags(unguided.value) == \
        f"--objective \"guide('inception_3b/output')\": {GUIDE_NEEDED}: pass it with --guide"


def test_a_gpu_is_named_as_the_flag_that_asked_for_it():
    assert with_flags(GpuUnusable(None, CPU_ONLY)) == f"--gpu: {CPU_ONLY}"
    assert with_flags(GpuUnusable(1, "Caffe cannot use this GPU (busy)"), "--gpus") == \
        "--gpus 1: Caffe cannot use this GPU (busy)"
    asked = GpuUnusable(None, CPU_ONLY)
    asked.flag = "--gpus"  # as python -m dream batch/video's check of --gpus sets it
    assert with_flags(wrapped(asked, "")) == f"--gpus: {CPU_ONLY}"
    assert with_flags("KilledWorker: a sentence already") == "KilledWorker: a sentence already"


@pytest.mark.parametrize("error", [GpuUnusable(1, "busy"), GpuUnusable(None, CPU_ONLY), UnknownLayer("zzz", ["a"])])
def test_errors_cross_from_a_worker(error):
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is type(error) and str(back) == str(error) and with_flags(back) == with_flags(error)
