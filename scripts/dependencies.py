"""Prints dream's dependencies from pyproject.toml, with those of the extras named, one per line:
  python scripts/dependencies.py [EXTRA...] > requirements.txt
The Docker image installs them before it copies the code, so that a code change installs nothing."""
import sys
from pathlib import Path

try:
    import tomllib
except ImportError:  # Python 3.9 and 3.10
    import tomli as tomllib

PYPROJECT = Path(__file__).resolve().parent.parent / "pyproject.toml"


def dependencies(extras):
    project = tomllib.loads(PYPROJECT.read_text())["project"]
    unknown = sorted(set(extras) - set(project["optional-dependencies"]))
    if unknown:
        raise SystemExit(f"dependencies.py: no extra {unknown[0]!r} in {PYPROJECT}")
    found = list(project["dependencies"])
    for extra in extras:
        found += project["optional-dependencies"][extra]
    return list(dict.fromkeys(found))


if __name__ == "__main__":
    print("\n".join(dependencies(sys.argv[1:])))
