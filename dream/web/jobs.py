"""What every tab of the web app shares: the one net, jobs that run beside the page, and how bad
input becomes one sentence in it."""
import contextlib
import tempfile
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from ..errors import DreamError, one_line
from .progress import bar, seconds_left

PREVIEW_EVERY_S = 1.0
PREVIEW_SIDE = 1280
# Gradio's default webp takes 110 ms a 0.6 MP frame here, on the cores Caffe dreams with; JPEG 4 ms.
# What the page shows only: the download is the exact PNG.
SHOWN_FORMAT = "jpeg"
CANCELLED = "cancelled"  # a job's last words where its page cancelled it


@dataclass
class Served:
    """The loaded net and what the pages' jobs need beside it."""
    model: object  # models.ModelFiles
    weights_sha1: str
    net: object
    work_dir: str  # uploads and results: a temporary folder that goes with the server
    max_memory: int = None  # a photo whose octave does not fit is dreamed in tiles, as on the CLI
    tile_margin: int = None  # --tile-margin: tiles always, inexact (recorded in the metadata)
    # Gradio's queue runs one job at a time, but a cancelled job's thread runs on to its next step
    # while the queue already starts the next one: the net takes them in turn.
    lock: threading.Lock = field(default_factory=threading.Lock)
    others: dict = field(default_factory=dict)  # name -> (ModelFiles, weights sha1): the Dream tab's other models
    pictures_cache: str = None  # where their layer pictures are kept
    pictures: list = field(default_factory=list)  # the served model's
    _choices: dict = field(default_factory=dict)
    _loading: threading.Lock = field(default_factory=threading.Lock)

    def output_folder(self):
        """A new folder for one job's results (two pages may name their photos alike)."""
        return Path(tempfile.mkdtemp(dir=self.work_dir))

    def model_names(self):
        """The models the Dream tab offers: the served one first."""
        return [self.model.name, *self.others]

    def choose(self, name):
        """The Choice of model `name` (the served one, or another loaded on its first use with its layer
        pictures, then kept); DreamError for a name not offered."""
        from ..network.net import dream_layers
        with self._loading:
            if name not in self._choices:
                if name == self.model.name:
                    model, sha1, net, pictures = self.model, self.weights_sha1, self.net, self.pictures
                elif name in self.others:
                    from .pictures import layer_pictures
                    model, sha1 = self.others[name]
                    net = model.load(self.net.dream_gpu)
                    pictures = layer_pictures(net, model, sha1, self.pictures_cache)
                else:
                    raise DreamError(f"model {name!r} is not served here; choose one of {', '.join(self.model_names())}")
                self._choices[name] = Choice(model, sha1, net, dream_layers(net), pictures)
            return self._choices[name]


@dataclass(frozen=True)
class Choice:
    """A model the page may dream with: its files, weights' sha1, loaded net, dream layers and pictures."""
    model: object
    weights_sha1: str
    net: object
    layers: list
    pictures: list


def prepared(served, page, img, extras, net=None):
    """The page's dream (a PageDream, and its GuideAndMask) prepared on net (default: the served one) for
    img, within the budget resolved now, as each run of the command line resolves its own."""
    from ..engine.prepare import DreamRequest, prepare
    from ..runs.budget import memory_budget
    request = DreamRequest(layer=page.layer, params=page.params, guide=extras.guide, mask=extras.mask,
                           tile_margin=served.tile_margin)
    net = net or served.net
    return prepare(net, request, *img.shape[:2], memory_budget(served.max_memory, gpu=getattr(net, "dream_gpu", None)))


def tiles_note(dream, tile_margin):
    """', 2 of 4 octaves in tiles ...' when a prepared dream's octaves are tiled (for the memory budget,
    or as the server's --tile-margin asks), else ''."""
    tiled = len(dream.tiled())
    why = "to fit the memory budget" if tile_margin is None else f"with margin {tile_margin} (--tile-margin)"
    return f", {tiled} of {len(dream.plans)} octaves in tiles {why}" if tiled else ""


class Cancelled(Exception):
    """The page's Cancel, seen by the job at its next step, and by the handler when the job ends."""


class Job:
    """work(job) in a thread of its own, on the net's device; its progress and latest image readable
    from another. cancel: the page's flag (a threading.Event), set by its Cancel button."""

    def __init__(self, work, net, cancel=None):
        self.status, self.preview, self.result, self.error = "waiting", None, None, None
        self.fraction, self.started = None, time.monotonic()
        # set by the page's watcher when it has shown the preview: the next step copies its image then,
        # one copy a PREVIEW_EVERY_S (a GPU's device loop holds the image on the GPU: each is a copy down)
        self.preview_wanted = threading.Event()
        self.preview_wanted.set()
        self.cancelled = threading.Event() if cancel is None else cancel
        self.thread = threading.Thread(target=self._run, args=(work, net), daemon=True)
        self.thread.start()

    def _run(self, work, net):
        from ..network.net import use_net_device
        try:
            use_net_device(net)  # a new thread starts on the CPU, whatever --gpu the server has
            self.result = work(self)
        except Cancelled:
            self.error = CANCELLED
        except DreamError as e:
            self.error = one_line(e)
        except MemoryError:
            self.error = "not enough memory for this photo; try a smaller one"
        except Exception as e:  # a bug: the page gets a sentence, the server's log the traceback
            traceback.print_exc()
            self.error = one_line(f"dream failed ({type(e).__name__}: {e}); the server's log has the details")

    def step(self, status, image, fraction):
        """Called by the work after each step, with the share of the work done: raises Cancelled once the
        page has cancelled."""
        if self.cancelled.is_set():
            raise Cancelled
        self.status, self.fraction = status, fraction
        if self.preview_wanted.is_set():
            self.preview_wanted.clear()
            self.preview = image.copy()  # the net's input changes with the next step

    def progress(self):
        """(the bar's HTML, the status in words): what the page's progress outputs show now."""
        return bar(self.status, self.fraction, seconds_left(self.started, self.fraction)), self.status


def watch(work, show, net, cancel=None):
    """Run work in a Job on net's device; every PREVIEW_EVERY_S yield the page's outputs: show(job.preview)
    and the progress (its bar, its words). The preview is the image of the first step after the last
    one shown: at most PREVIEW_EVERY_S old, and one copy of the image each. work(job) returns (the outputs, the last words); so does
    this, the bar full. An error becomes gr.Error; the page's cancel (the Event `cancel`) Cancelled.
    A page that goes away closes this generator, which stops the job at its next step."""
    import gradio as gr
    job = Job(work, net, cancel)
    try:
        while job.thread.is_alive():
            job.thread.join(PREVIEW_EVERY_S)
            if job.preview is not None:
                yield (*show(job.preview), *job.progress())
                job.preview_wanted.set()
    finally:
        job.cancelled.set()
    if job.error == CANCELLED:
        raise Cancelled
    if job.error:
        raise gr.Error(sentence(job.error), print_exception=False)
    outputs, status = job.result
    return (*outputs, bar(status, 1.0), status)


class PageCancels:
    """The Cancel buttons' flags: a threading.Event per (page, tab) for the job that page has queued or
    running in that tab. Gradio's own cancels= is not used: cancelling a running generator with it
    sends the event's process_completed, and where that reaches the page after the page's /cancel has
    returned, Gradio 6.31 shows 'Error' over the outputs (1 run in 6 to 10 here). A flag lets the job
    end as any job ends."""

    def __init__(self):
        self._flags, self._lock = {}, threading.Lock()

    def expect(self, key):
        """The flag of the job about to be queued or started at key: the one there, or a fresh one where
        there is none or the one there is set (an earlier job, cancelled, still stopping)."""
        with self._lock:
            flag = self._flags.get(key)
            if flag is None or flag.is_set():
                flag = self._flags[key] = threading.Event()
            return flag

    def started(self, key):
        """The flag a job starting at key watches: set already if its page cancelled it in the queue."""
        with self._lock:
            return self._flags.setdefault(key, threading.Event())

    def cancel(self, key):
        """Set the flag at key; False where the page has no job there."""
        with self._lock:
            flag = self._flags.get(key)
        if flag is not None:
            flag.set()
        return flag is not None

    def ended(self, key, flag):
        with self._lock:
            if self._flags.get(key) is flag:
                del self._flags[key]


PAGE_CANCELS = PageCancels()


def on_click(go, stop, fn, inputs, outputs, progress, api_name):
    """go runs fn(*inputs, cancel=flag) as a job in the one queue all tabs share (they share the one net,
    so one job at a time, each page seeing its place); stop sets the flag, whether the job runs or
    waits in the queue, and the job ends saying so in progress (its bar and words, the last two of
    outputs), the last preview kept."""
    import gradio as gr
    tab = go.elem_id

    def where(request):
        return request.session_hash if request is not None else None, tab

    def queued(request: gr.Request):
        PAGE_CANCELS.expect(where(request))

    def run(request: gr.Request, *args):
        flag = PAGE_CANCELS.started(where(request))
        try:
            if flag.is_set():  # cancelled while it waited
                raise Cancelled
            yield from fn(*args, cancel=flag)
        except Cancelled:
            yield (*[gr.skip()] * (len(outputs) - 2), bar(CANCELLED), CANCELLED)
        finally:
            PAGE_CANCELS.ended(where(request), flag)

    def cancel(request: gr.Request):
        if PAGE_CANCELS.cancel(where(request)):
            return bar(CANCELLED), CANCELLED
        return gr.skip(), gr.skip()  # nothing of this page's to cancel: the last result's words stay

    go.click(queued, None, None, queue=False, show_progress="hidden", api_visibility="private").then(
        run, inputs, outputs, api_name=api_name, concurrency_id="net", concurrency_limit=1, show_progress="minimal")
    stop.click(cancel, None, list(progress), queue=False, show_progress="hidden", api_visibility="private")


@contextlib.contextmanager
def one_sentence():
    """A DreamError inside becomes the page's error sentence."""
    import gradio as gr
    try:
        yield
    except DreamError as e:
        raise gr.Error(sentence(one_line(e)), print_exception=False) from None


def sentence(text):
    """'cannot read image x' -> 'Cannot read image x.'"""
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def uint8_image(net, data):
    """The net's 3 x H x W input as an RGB preview, every k-th pixel so that it is at most
    PREVIEW_SIDE wide and high: a phone photo's preview need not cross the wire whole twice a second."""
    from ..network.net import deprocess
    k = -(-max(data.shape[1:]) // PREVIEW_SIDE)
    return np.uint8(np.clip(deprocess(net, data[:, ::k, ::k]), 0, 255))
