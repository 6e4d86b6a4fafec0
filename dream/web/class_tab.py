"""The Class tab: type an ImageNet class (the list suggests as you type), get deepdraw's picture of
it; the result carries python -m dream class's metadata."""
import numpy as np

from ..errors import DreamError
from ..runs.seeds import MAX_SEED
from .controls import checked_number, go_and_cancel, progress_and_result, seed_input, uploaded
from .jobs import on_click, one_sentence, uint8_image, watch

MAX_CLASSES = 4
MAX_CANVAS = 1024  # a side; the memory check still applies


def class_tab(served):
    """The tab, its inputs wired to class_job."""
    import gradio as gr
    from ..objectives.labels import imagenet_labels
    with gr.Tab("Class"):
        with gr.Row():
            with gr.Column(scale=2):
                names = gr.Dropdown(imagenet_labels(), value=None, multiselect=True, max_choices=MAX_CLASSES,
                                    filterable=True, label="ImageNet classes: type a name, pick from the suggestions",
                                    elem_id="classes")
                with gr.Row():
                    width = gr.Slider(224, MAX_CANVAS, 320, step=1, label="Width")
                    height = gr.Slider(224, MAX_CANVAS, 320, step=1, label="Height")
                with gr.Accordion("More", open=False):
                    iters = gr.Number(None, precision=0, minimum=1, elem_id="class-iters",
                                      label="Steps per octave (empty: deepdraw's 190, 150, 150, 10)")
                    regions = gr.Checkbox(False, label="One class per vertical strip, instead of one mix")
                    seed = seed_input()
                    init = gr.File(label="Start image (instead of grey noise; sets the size)", file_types=["image"],
                                   type="filepath")
                go, stop = go_and_cancel("Draw", "draw")
            with gr.Column(scale=3):
                progress, result = progress_and_result("Class image", "class-status")
                download = gr.File(label="Download (with its parameters in the metadata)", elem_id="class-download")
    on_click(go, stop, class_job(served), [names, width, height, iters, regions, seed, init],
             [result, download, *progress], progress, "draw")


def checked_classes(names):
    """The page's class names as [(index, weight 1)]."""
    from ..objectives.labels import class_index
    if not names:
        raise DreamError("choose a class first: type its name and pick it from the list")
    names = [names] if isinstance(names, str) else list(names)
    if len(names) > MAX_CLASSES:
        raise DreamError(f"at most {MAX_CLASSES} classes, not {len(names)}")
    return [(class_index(name), 1.0) for name in names]


def class_job(served):
    """The Draw button's handler: the page's inputs checked, then a job that draws as python -m dream
    class does and saves the image with its metadata."""
    from ..images import save_image
    from ..objectives.labels import imagenet_labels
    from ..runs.classes import class_file_name, class_params, class_schedule, class_targets
    net, labels = served.net, imagenet_labels()

    def draw(names, width, height, iters, regions, seed, init, cancel=None):
        with one_sentence():
            specs = checked_classes(names)
            init_path, init_img = uploaded(init, "the start image")
            size = init_img.shape[:2] if init_path else (checked_number("Height", height, 1, MAX_CANVAS, int),
                                                         checked_number("Width", width, 1, MAX_CANVAS, int))
            iters = None if iters in (None, "") else checked_number("Steps per octave", iters, 1, 1000, int)
            seed = checked_number("Seed", seed, 0, MAX_SEED, int)
            schedule = class_schedule(iters)
            classes, strips = class_targets(specs, bool(regions))
        metadata = class_params(served.model, served.weights_sha1, specs, bool(regions), size, init_path, schedule,
                                seed)  # python -m dream class's

        def work(job):
            with served.lock:
                out = drawn(served, job, classes, strips, size, init_img, schedule, seed)
            path = served.output_folder() / f"{class_file_name(labels[specs[0][0]])}.png"
            save_image(out, path, metadata)
            return (np.uint8(np.clip(out, 0, 255)), str(path)), "done"

        yield (yield from watch(work, lambda data: (uint8_image(net, data), None), net, cancel))
    return draw


def drawn(served, job, classes, strips, size, init_img, schedule, seed):
    """The class image drawn on the served net, prepared as python -m dream class prepares it (the budget
    resolved when the job starts, as for every tab), reporting each step to the job."""
    from ..engine.classvis import ClassRequest, prepare_class
    from ..runs.budget import memory_budget
    drawing = prepare_class(served.net, ClassRequest(classes, strips, size, init_img, schedule),
                            memory_budget(served.max_memory, gpu=getattr(served.net, "dream_gpu", None)))
    total, done = drawing.steps(), []

    def progress(octave, i, canvas):
        done.append(1)
        job.step(f"octave {octave + 1} of {len(schedule)}, step {len(done)} of {total}", canvas, len(done) / total)
    return drawing.run(np.random.RandomState(seed), progress)
