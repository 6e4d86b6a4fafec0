"""The long fuzz run: the properties of tests/fuzz_properties.py for many examples each.

    .venv/bin/python scripts/fuzz_inputs.py --examples 100000

Prints, per property, the examples run, how many were accepted and refused, and the time.
Exits 1 on the first counterexample (Hypothesis prints it, shrunk).
"""
import argparse
import collections
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import fuzz_properties as fp  # noqa: E402


def run(name, strategy, check, examples):
    outcomes = collections.Counter()

    @settings(max_examples=examples, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def prop(value):
        outcomes[check(value)] += 1

    start = time.perf_counter()
    prop()
    seconds = time.perf_counter() - start
    total = sum(outcomes.values())
    print(f"{name:12s} {total:8d} examples  {outcomes['accepted']:7d} accepted  {outcomes['refused']:7d} refused"
          f"  {seconds:7.1f} s", flush=True)


def check_image_file(image):
    data, suffix = image
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzz{suffix}"
        path.write_bytes(data)
        return fp.check_image(path)


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("--examples", type=int, default=100_000, help="examples per property")
    p.add_argument("--only", choices=["parsers", "expressions", "images"], help="one property only")
    args = p.parse_args()
    props = {"parsers": (st.tuples(st.sampled_from(sorted(fp.PARSERS)), fp.argvs), lambda v: fp.check_parser(*v)),
             "expressions": (fp.texts, fp.check_expression),
             "images": (fp.image_files(), check_image_file)}
    for name, (strategy, check) in props.items():
        if args.only in (None, name):
            run(name, strategy, check, args.examples)
    return 0


if __name__ == "__main__":
    sys.exit(main())
