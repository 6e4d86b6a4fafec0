"""The command line: python -m dream [COMMAND] ..., one module per command (image: the default, classes,
gallery, video, batch, serve, live), and common.py for what they share. Each parses its flags and calls the
library; what the web app shares with it is in dream.runs. Nothing outside dream.cli imports from here."""
import os
import sys

from ..errors import DreamError, one_line
from .common import frozen_request, with_flags
from .image import build_parser, run

# Commands besides the default dream: python -m dream NAME ...
COMMANDS = {"class": "dream.cli.classes", "gallery": "dream.cli.gallery", "video": "dream.cli.video",
            "batch": "dream.cli.batch", "serve": "dream.cli.serve",
            "live": "dream.cli.live", "reproduce": "dream.cli.reproduce"}


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "download":  # the weights and sample photos (also scripts/download_models.sh)
        from ..download import main as download
        return download(argv[1:])
    if argv and argv[0] in COMMANDS:
        import importlib
        command = importlib.import_module(COMMANDS[argv[0]])
        args, runner = command.build_parser().parse_args(argv[1:]), command.run
    else:
        args, runner = build_parser().parse_args(argv), run
    try:
        return runner(frozen_request(args))  # read once: nothing below the parser rewrites a flag
    except DreamError as e:
        print(f"dream: error: {one_line(with_flags(e))}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("dream: interrupted; nothing half-written was left behind", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. --list-layers | head: the reader left, nothing is wrong
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0

