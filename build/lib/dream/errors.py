"""The one exception type users see."""


class DreamError(Exception):
    """A problem with the user's input or setup; the CLI prints it on one line and exits non-zero."""


_LINE_BREAKERS = {c: repr(chr(c))[1:-1] for c in [*range(0x20), *range(0x7f, 0xa0), 0x2028, 0x2029]}


def one_line(text):
    """`text` with every character that could break a line escaped (a file name may hold a newline)."""
    return str(text).translate(_LINE_BREAKERS)
