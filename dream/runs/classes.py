"""A class image's run (python -m dream class, the web app's Class tab): deepdraw's schedule, the
targets visualize_class takes, and what the image's metadata records."""
from ..engine.classvis import DEFAULT_SCHEDULE
from ..objectives.labels import imagenet_labels


def class_schedule(iters=None):
    """deepdraw's schedule, with `iters` steps in every octave if given."""
    return [dict(o, iter_n=iters) if iters else dict(o) for o in DEFAULT_SCHEDULE]


def class_params(model, weights_sha1, specs, regions, size, init, schedule, seed):
    """What a class image's metadata records, and what a re-run compares."""
    labels = imagenet_labels()
    return dict(command="class", model=model.name, weights_sha1=weights_sha1,
                classes=[[c, labels[c], w] for c, w in specs], regions=regions,
                size=list(size), init=init.name if init else None,
                iters=[o["iter_n"] for o in schedule], seed=seed)


def class_targets(specs, regions):
    """visualize_class's (classes, regions): one mix of the weighted classes, or a vertical strip each."""
    if regions:
        n = len(specs)
        return {}, [(c, (0.0, k / n, 1.0, (k + 1) / n)) for k, (c, _) in enumerate(specs)]
    classes = {}
    for c, w in specs:
        classes[c] = classes.get(c, 0.0) + w
    return classes, None


def class_file_name(label):
    """'class-golden-retriever': a label as a file's stem."""
    return "class-" + label.replace(" ", "-").replace("/", "-")
