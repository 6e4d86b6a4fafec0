"""The one exception type users see."""


class DreamError(Exception):
    """A problem with the user's input or setup; the CLI prints it on one line and exits non-zero."""
