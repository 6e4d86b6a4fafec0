"""Parameters that change over a video: a small CSV table of frame number -> parameters.

    frame,layer,objective,step_size,iters_next,blend,decay
    0,inception_4c/output,,1.5,5,,0.9
    48,,,3.0,,,
    96,,"channel('inception_4d/output', 52)",1.0,8,,0.5

Numbers are interpolated linearly between the keyframes that give them and held after the
last. What is dreamed, a layer or an objective (an expression, quoted when it has commas),
changes at its keyframe: the latest one given wins, so a layer after an objective replaces
it. The command line's values are those of frame 0 unless the table has a row for frame 0.
An empty cell gives nothing. Every row and cell is checked when the file is read, before
the first frame is dreamed (objectives' expressions by the caller, which knows the net).
"""
import csv
import math
from pathlib import Path

from ..errors import DreamError

# column -> (type, lowest, highest, lowest allowed itself)
NUMBERS = {"step_size": (float, 0.0, 255.0, False), "iters_next": (int, 1, 10**6, True),
           "blend": (float, 0.0, 1.0, True), "decay": (float, 0.0, 1.0, True)}
TARGETS = ("layer", "objective")  # what is dreamed: one or the other, changing at its keyframe
COLUMNS = ["frame", *TARGETS, *NUMBERS]
MAX_FRAME = 10**7


def read_keyframes(path):
    """The table at path as {column: [(frame, value), ...]} sorted by frame; DreamError on any bad cell."""
    path = Path(path)
    try:
        with open(path, newline="") as f:
            rows = list(csv.reader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise DreamError(f"keyframes {path}: cannot read it as a CSV table ({getattr(e, 'strerror', None) or e})") \
            from None
    rows = [r for r in rows if any(cell.strip() for cell in r)]
    if not rows:
        raise DreamError(f"keyframes {path}: empty; the first line names the columns: {','.join(COLUMNS)}")
    header = [h.strip() for h in rows[0]]
    unknown = [h for h in header if h not in COLUMNS]
    if unknown or "frame" not in header or len(set(header)) != len(header):
        raise DreamError(f"keyframes {path}: the first line must name columns among {','.join(COLUMNS)}, "
                         f"'frame' first among them, each once (found {','.join(header)})")
    table = {name: [] for name in header if name != "frame"}
    frames = []
    for line, row in enumerate(rows[1:], start=2):
        where = f"keyframes {path}, line {line}"
        if len(row) > len(header):
            raise DreamError(f"{where}: {len(row)} cells for {len(header)} columns")
        cells = dict(zip(header, [c.strip() for c in row]))
        frame = _frame_number(cells.get("frame", ""), where)
        if frames and frame <= frames[-1]:
            raise DreamError(f"{where}: frame {frame} comes after frame {frames[-1]}; keyframes go in increasing order")
        frames.append(frame)
        if all(cells.get(name) for name in TARGETS):
            raise DreamError(f"{where}: a keyframe gives a layer or an objective, not both")
        for name, cell in cells.items():
            if name != "frame" and cell:
                table[name].append((frame, cell if name in TARGETS else _number(name, cell, where)))
    return table


def _frame_number(cell, where):
    try:
        frame = int(cell)
    except ValueError:
        raise DreamError(f"{where}: frame {cell!r} is not a whole number") from None
    if not 0 <= frame <= MAX_FRAME:
        raise DreamError(f"{where}: frame {frame} is out of range (0 to {MAX_FRAME})")
    return frame


def _number(name, cell, where):
    kind, low, high, low_ok = NUMBERS[name]
    try:
        value = kind(cell)
    except ValueError:
        raise DreamError(f"{where}: {name} {cell!r} is not a{'' if kind is int else ' finite'} "
                         f"{'whole number' if kind is int else 'number'}") from None
    if not math.isfinite(value) or value < low or value > high or (value == low and not low_ok):
        raise DreamError(f"{where}: {name} {cell} is out of range ({'' if low_ok else 'above '}{low} to {high})")
    return value


def schedule_at(table, frame, defaults):
    """The parameters of `frame`: defaults (the command line's, frame 0's unless the table has a row
    for it), then the table's values, interpolated between keyframes, held after the last.
    defaults holds 'layer' and 'objective', one of them None; so does the result."""
    params = dict(defaults)
    for name, points in table.items():
        if points and name not in TARGETS:
            if points[0][0] > 0 and name in defaults:
                points = [(0, defaults[name]), *points]
            params[name] = _number_at(points, frame, name)
    given = [(at, name, value) for name in TARGETS for at, value in table.get(name, []) if at <= frame]
    if given:
        _, name, value = max(given, key=lambda g: g[0])
        params.update({other: None for other in TARGETS}, **{name: value})
    return params


def _number_at(points, frame, name):
    if frame <= points[0][0]:
        value = points[0][1]
    elif frame >= points[-1][0]:
        value = points[-1][1]
    else:
        (a, va), (b, vb) = next((p, q) for p, q in zip(points, points[1:]) if p[0] <= frame <= q[0])
        value = va + (vb - va) * (frame - a) / (b - a)
    return int(round(value)) if NUMBERS[name][0] is int else float(value)


def targets_named(table, default):
    """Every (column, value) the table and the command line dream, 'layer' or 'objective', in order
    of first use; default is the command line's."""
    given = sorted((at, name, value) for name in TARGETS for at, value in table.get(name, []))
    return list(dict.fromkeys([default] + [(name, value) for _, name, value in given]))
