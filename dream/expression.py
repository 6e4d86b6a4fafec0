"""The CLI's objective syntax: "0.7*layer_l2('inception_4c/output') + 0.3*channel('inception_4d/output', 52)".

Parsed with Python's ast and evaluated by walking it: only the objective
factories, numbers, strings, +, - and * are allowed, so nothing else can run.
"""
import ast
import inspect
import operator

from .errors import DreamError
from .objectives import Objective, channel, class_unit, layer_l2, neuron

FACTORIES = {"layer_l2": layer_l2, "channel": channel, "neuron": neuron, "class_unit": class_unit}
_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul}
_UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos}


def parse_objective(text, factories=None):
    """An Objective from the expression `text`; DreamError with the reason if it is not one."""
    factories = dict(FACTORIES, **(factories or {}))
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as e:
        raise DreamError(f"--objective {text!r}: not an expression ({e.msg})") from None
    value = _evaluate(tree.body, factories, text)
    if not isinstance(value, Objective):
        raise DreamError(f"--objective {text!r}: gives a {type(value).__name__}, not an objective")
    return value


def _evaluate(node, factories, text):
    def fail(why):
        names = ", ".join(f"{n}{inspect.signature(f)}" for n, f in factories.items())
        raise DreamError(f"--objective {text!r}: {why}; use {names}, numbers, + - and *")

    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str)):
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _evaluate(node.left, factories, text), _evaluate(node.right, factories, text)
        try:
            result = _BINARY[type(node.op)](left, right)
        except TypeError as e:
            fail(str(e))
        return result
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        return _UNARY[type(node.op)](_evaluate(node.operand, factories, text))
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        if node.func.id not in factories:
            fail(f"unknown objective {node.func.id!r}")
        args = [_evaluate(a, factories, text) for a in node.args]
        kwargs = {k.arg: _evaluate(k.value, factories, text) for k in node.keywords}
        factory = factories[node.func.id]
        try:
            inspect.signature(factory).bind(*args, **kwargs)
        except TypeError as e:
            fail(f"{node.func.id}: {e}")
        return factory(*args, **kwargs)
    fail(f"{ast.unparse(node)!r} is not allowed")
