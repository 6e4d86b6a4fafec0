"""The CLI's objective syntax: "0.7*layer_l2('inception_4c/output') + 0.3*channel('inception_4d/output', 52)".

Parsed with Python's ast and evaluated by walking it: only the objective
factories, numbers, strings, +, - and * are allowed, so nothing else can run.
Sizes are bounded before evaluation, so no expression can exhaust the stack or
memory, and every weight must come out finite (NaN or inf would reach Caffe).
"""
import ast
import inspect
import math
import numbers
import operator

from ..errors import DreamError
from .terms import MAX_WEIGHT, OBJECTIVES, Objective

FACTORIES = OBJECTIVES  # the registry itself: an objective added there is in the language at once
_BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul}
_UNARY = {ast.USub: operator.neg, ast.UAdd: operator.pos}
MAX_CHARS = 10_000  # the expression is stored in each output's metadata (a JPEG comment holds 64 KB)
MAX_TERMS = 256  # each term seeds a whole blob at every step
MAX_DEPTH = 600  # nesting of operators (a sum of MAX_TERMS terms is that deep); deeper would exhaust the stack
GUIDE_NEEDED = "guide(layer) needs the guide image"


class ObjectiveError(DreamError):
    """An expression that is not an objective, or whose objective the net cannot take; the message starts
    with "objective '<the expression>'", which a front end may name as it was given (--objective)."""


def parse_objective(text, factories=None):
    """An Objective from the expression `text`; DreamError with the reason if it is not one. factories:
    more names for the expression (e.g. guide(layer), bound to a guide image)."""
    factories = dict(OBJECTIVES, **(factories or {}))
    head = f"objective {text[:60]!r}{'...' if len(text) > 60 else ''}"
    if len(text) > MAX_CHARS:
        raise ObjectiveError(f"{head}: {len(text)} characters; at most {MAX_CHARS}")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as e:
        raise ObjectiveError(f"{head}: not an expression ({e.msg})") from None
    except ValueError:  # Python 3.9 and 3.10 raise it for a NUL byte (3.11 and later: SyntaxError)
        raise ObjectiveError(f"{head}: not an expression (it contains a NUL byte)") from None
    except (RecursionError, MemoryError):
        raise ObjectiveError(f"{head}: nested too deeply") from None
    _check_size(tree, head)
    value = _evaluate(tree.body, factories, head)
    if not isinstance(value, Objective):
        raise ObjectiveError(f"{head}: gives a {type(value).__name__}, not an objective")
    for layer, weight, _ in value.terms:
        if not abs(weight) <= MAX_WEIGHT:  # also false for NaN
            raise ObjectiveError(f"{head}: the weight of a term on {layer} is {weight}; "
                             f"weights must be finite and at most {MAX_WEIGHT:g} in size")
    return value


def signatures(extra=()):
    """'layer_l2(layer), channel(layer, c), ...': every objective the language offers, for help texts."""
    return ", ".join([f"{name}{inspect.signature(f)}" for name, f in OBJECTIVES.items()] + list(extra))


def _check_size(tree, head):
    """Refuse, before evaluating, expressions too deep for the walk below or with too many terms."""
    terms, stack = 0, [(tree, 0)]
    while stack:  # iterative: the tree may be deeper than Python's stack
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ObjectiveError(f"{head}: nested more than {MAX_DEPTH} deep")
        terms += isinstance(node, ast.Call)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))
    if terms > MAX_TERMS:
        raise ObjectiveError(f"{head}: {terms} terms; at most {MAX_TERMS}")


def _is_number(x):
    return isinstance(x, numbers.Real) and not isinstance(x, bool)


def _evaluate(node, factories, head):
    def fail(why):
        names = ", ".join(f"{n}{inspect.signature(f)}" for n, f in factories.items())
        raise ObjectiveError(f"{head}: {why}; use {names}, numbers, + - and *")

    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str)) \
            and not isinstance(node.value, bool):
        if isinstance(node.value, float) and not math.isfinite(node.value):
            fail(f"{ast.unparse(node)} is not a finite number")
        return node.value
    if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
        left, right = _evaluate(node.left, factories, head), _evaluate(node.right, factories, head)
        # numbers with numbers, objectives with objectives (+ -) or with numbers (*): never strings,
        # so nothing like 'x' * 10**9 can be built
        if not all(_is_number(v) or isinstance(v, Objective) for v in (left, right)):
            fail(f"{ast.unparse(node)!r}: only numbers and objectives can be combined")
        try:
            result = _BINARY[type(node.op)](left, right)
        except (TypeError, OverflowError, DreamError) as e:
            fail(str(e))
        if _is_number(result) and not math.isfinite(result):
            fail(f"{ast.unparse(node)!r} overflows")
        return result
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        operand = _evaluate(node.operand, factories, head)
        if not (_is_number(operand) or isinstance(operand, Objective)):
            fail(f"{ast.unparse(node)!r}: a sign applies to numbers and objectives only")
        return _UNARY[type(node.op)](operand)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        if node.func.id not in factories:
            fail(f"unknown objective {node.func.id!r}")
        if any(k.arg is None for k in node.keywords):
            fail("** arguments are not allowed")
        args = [_evaluate(a, factories, head) for a in node.args]
        kwargs = {k.arg: _evaluate(k.value, factories, head) for k in node.keywords}
        factory = factories[node.func.id]
        try:
            inspect.signature(factory).bind(*args, **kwargs)
        except TypeError as e:
            fail(f"{node.func.id}: {e}")
        try:
            return factory(*args, **kwargs)
        except DreamError as e:
            raise ObjectiveError(f"{head}: {e}") from None
    fail(f"{ast.unparse(node)!r} is not allowed")


def objective_from(text, guide_img, net=None, budget=None):
    """The Objective that the expression `text` names, where guide(layer) matches the guide image's
    features at layer (budget: the memory they may take, in bytes). Without a net (a check before one is
    loaded) guide(layer) stands in as layer_l2, so that the syntax and names are checked before any work."""
    from ..engine.guide import guide_features
    from .terms import guide as guided, layer_l2

    def guide(layer):
        if guide_img is None:
            raise DreamError(GUIDE_NEEDED)
        return layer_l2(layer) if net is None else guided(layer, guide_features(net, guide_img, layer, budget))
    return parse_objective(text, {"guide": guide})
