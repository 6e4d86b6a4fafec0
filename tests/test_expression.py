"""The CLI's objective expressions: what they build, and what they refuse."""
import pytest

from dream.errors import DreamError
from dream.objectives.expression import parse_objective


def test_expression_builds_the_objective():
    o = parse_objective("0.7*layer_l2('inception_4c/output') + 0.3*channel('inception_4d/output', 52)")
    assert o.layers == ['inception_4c/output', 'inception_4d/output']
    assert [w for _, w, _ in o.terms] == [0.7, 0.3]
    o = parse_objective("-neuron('inception_4c/output', 3, 1, 2) + class_unit(207)")
    assert [w for _, w, _ in o.terms] == [-1, 1] and o.layers[1] == 'loss3/classifier'


@pytest.mark.parametrize("text, why", [
    ("layer_l2('a'", "not an expression"),
    ("__import__('os').system('true')", "is not allowed"),
    ("__import__('os')", "unknown objective"),
    ("open('x')", "unknown objective"),
    ("layer_l2('a') * layer_l2('b')", "multiplied by a number"),
    ("channel('a')", "missing a required argument"),
    ("2 * 3", "not an objective"),
    ("layer_l2('a').terms", "is not allowed"),
    ("[layer_l2('a')]", "is not allowed"),
])
def test_bad_expressions_are_refused_with_a_reason(text, why):
    with pytest.raises(DreamError, match=why):
        parse_objective(text)
