"""Saves a caffemodel of GoogLeNet (or another deploy prototxt) with weights drawn by Caffe's own fillers
from seed 0: the stand-in for the real weights where they cannot be downloaded. The tests' googlenet
fixture makes the same net.
  python scripts/random_weights.py OUT [PROTOTXT]      (default: dream's bvlc_googlenet deploy.prototxt)"""
import os
import sys


def main(out, prototxt=None):
    os.environ.setdefault("GLOG_minloglevel", "2")  # Caffe's log of every layer it builds
    import caffe
    if prototxt is None:
        from dream.models import named_model
        prototxt = named_model("bvlc_googlenet").prototxt
    caffe.set_mode_cpu()
    caffe.set_random_seed(0)
    caffe.Net(str(prototxt), caffe.TEST).save(out)


if __name__ == "__main__":
    if not 1 <= len(sys.argv) - 1 <= 2 or sys.argv[1].startswith("-"):  # --help: this text, not a file named so
        sys.exit(__doc__)
    main(*sys.argv[1:])
