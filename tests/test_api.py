"""Every dream.X the README and docs/ name exists: the package exports what the documentation promises."""
import importlib
import importlib.util
import re
from pathlib import Path

import dream

ROOT = Path(__file__).resolve().parent.parent
README = "\n".join(p.read_text() for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))])


def test_every_name_the_readme_mentions_is_exported():
    names = set(re.findall(r"(?<![\w/.-])dream\.([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)", README)) - {"ipynb", "jpg", "png"}
    assert {"visualize_class", "objectives", "enhance", "deepdream"} <= {n.split(".")[0] for n in names}
    from dream._moved import PATHS
    old = [f"{path}." for path in PATHS if path != "enhance"]  # dream.enhance: still the function
    assert [n for n in names if (n + ".").startswith(tuple(old))] == [], "the docs name paths from before 0.2"
    for dotted in sorted(names):
        obj, path = dream, "dream"
        for part in dotted.split("."):
            path += "." + part
            if not hasattr(obj, part) and importlib.util.find_spec(path.rsplit(".", 1)[0]).submodule_search_locations:
                try:  # a module of a subpackage (dream.runs.seeds): importing it is how it is reached
                    importlib.import_module(path)
                except ModuleNotFoundError:
                    pass
            assert hasattr(obj, part), f"README names dream.{dotted}, which does not exist"
            obj = getattr(obj, part)


def test_objective_factories_are_reachable_both_ways():
    for name in ["layer_l2", "channel", "neuron", "class_unit", "guide"]:
        assert callable(getattr(dream.objectives, name))
    assert dream.layer_l2 is dream.objectives.layer_l2 and callable(dream.enhance)
    assert set(dream.__all__) <= set(dir(dream))
