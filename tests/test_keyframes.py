"""--keyframes (dream.video.keyframes): numbers interpolated between keyframes, layers changing at theirs, every
cell checked before the first frame."""
import pytest

from dream.errors import DreamError
from dream.video.keyframes import read_keyframes, schedule_at, targets_named

DEFAULTS = dict(layer="inception_4c/output", objective=None, step_size=1.5, iters_next=5, blend=0.5, decay=0.9)


def table(tmp_path, text):
    path = tmp_path / "keys.csv"
    path.write_text(text)
    return read_keyframes(path)


def test_numbers_interpolate_and_layers_switch(tmp_path):
    keys = table(tmp_path, "frame,layer,step_size,iters_next,decay\n"
                           "10,inception_3b/output,3.5,,\n"
                           "20,,1.5,9,0.5\n"
                           "\n"
                           "30,inception_4d/output,,,\n")
    at = lambda t: schedule_at(keys, t, DEFAULTS)  # noqa: E731
    assert at(0) == DEFAULTS  # the command line holds frame 0
    assert at(5)["step_size"] == pytest.approx(2.5) and at(5)["layer"] == "inception_4c/output"
    assert at(10)["layer"] == "inception_3b/output" and at(10)["step_size"] == 3.5
    assert at(15)["step_size"] == pytest.approx(2.5)
    assert at(10)["iters_next"] == 7 and at(15)["iters_next"] == 8  # 5 -> 9 over frames 0..20, rounded
    assert at(10)["decay"] == pytest.approx(0.7)
    assert at(29)["layer"] == "inception_3b/output" and at(30)["layer"] == "inception_4d/output"
    assert at(500) == dict(DEFAULTS, layer="inception_4d/output", step_size=1.5, iters_next=9, decay=0.5)
    assert at(500)["blend"] == 0.5  # a column the table does not have keeps the command line's value
    assert targets_named(keys, ("layer", "inception_4c/output")) == [
        ("layer", "inception_4c/output"), ("layer", "inception_3b/output"), ("layer", "inception_4d/output")]


def test_an_objective_takes_over_at_its_keyframe_and_a_layer_takes_it_back(tmp_path):
    keys = table(tmp_path, 'frame,layer,objective\n'
                           '4,,"channel(\'inception_4c/output\', 3)"\n'
                           '8,inception_3b/output,\n')
    at = lambda t: schedule_at(keys, t, DEFAULTS)  # noqa: E731
    assert (at(3)["layer"], at(3)["objective"]) == ("inception_4c/output", None)
    assert (at(4)["layer"], at(4)["objective"]) == (None, "channel('inception_4c/output', 3)")
    assert (at(9)["layer"], at(9)["objective"]) == ("inception_3b/output", None)
    assert targets_named(keys, ("layer", "inception_4c/output")) == [
        ("layer", "inception_4c/output"), ("objective", "channel('inception_4c/output', 3)"),
        ("layer", "inception_3b/output")]
    from_objective = dict(DEFAULTS, layer=None, objective="layer_l2('inception_3a/output')")
    assert schedule_at(keys, 0, from_objective) == from_objective


def test_a_row_for_frame_0_replaces_the_command_line(tmp_path):
    keys = table(tmp_path, "frame,step_size\n0,4\n10,2\n")
    assert schedule_at(keys, 0, DEFAULTS)["step_size"] == 4 and schedule_at(keys, 5, DEFAULTS)["step_size"] == 3


@pytest.mark.parametrize("text,fragment", [
    ("", "empty"),
    ("frame,speed\n0,1\n", "must name columns"),
    ("step_size\n1\n", "must name columns"),
    ("frame,step_size\nten,1\n", "line 2: frame 'ten' is not a whole number"),
    ("frame,step_size\n5,1\n5,2\n", "line 3: frame 5 comes after frame 5"),
    ("frame,step_size\n0,nan\n", "out of range"),
    ("frame,step_size\n0,0\n", "out of range"),
    ("frame,decay\n0,1.5\n", "out of range"),
    ("frame,iters_next\n0,2.5\n", "not a whole number"),
    ("frame,step_size\n0,1,2\n", "3 cells for 2 columns"),
    ("frame,step_size\n-1,1\n", "out of range"),
    ("frame,layer,objective\n3,inception_3b/output,channel('inception_3b/output'; 1)\n", "line 2: .*not both"),
])
def test_bad_tables_are_refused_with_their_line(tmp_path, text, fragment):
    with pytest.raises(DreamError, match=fragment):
        table(tmp_path, text)


def test_a_missing_file(tmp_path):
    with pytest.raises(DreamError, match="cannot read"):
        read_keyframes(tmp_path / "nothing.csv")
