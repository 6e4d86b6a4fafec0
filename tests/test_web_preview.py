"""The web app's live preview copies a step's image only when the page will show it: one copy a
PREVIEW_EVERY_S, whatever the step rate. In the device loop each copy is a copy from the GPU; here the
loop's CPU stand-in counts them."""
import numpy as np
import pytest

import dream
from dream.device.host_stand_in import HostStandIn

pytest.importorskip("gradio")


def test_the_preview_copies_one_image_for_each_one_shown(load, small_photo, monkeypatch):
    from dream.web import jobs
    copies, steps = [], []
    original = HostStandIn.download
    monkeypatch.setattr(HostStandIn, "download", lambda self, a: copies.append(1) or original(self, a))
    monkeypatch.setenv("DREAM_DEVICE_LOOP", "1")
    monkeypatch.setattr(jobs, "PREVIEW_EVERY_S", 0.3)
    net = load()

    def work(job):
        def step(octave, i, data):
            steps.append(data.shape)
            job.step(f"octave {octave + 1}, step {i + 1}", data, len(steps) / 36)
        out = dream.deepdream(net, small_photo, iter_n=12, octave_n=3, rng=np.random.RandomState(1), progress=step)
        return (out,), "done"

    shown = []
    watching = jobs.watch(work, lambda preview: (preview.copy(),), net)
    while True:
        try:
            shown.append(next(watching)[0])
        except StopIteration as end:
            out, _, status = end.value
            break
    assert len(steps) == 36 and status == "done"
    assert shown and all(p.shape[0] == 3 for p in shown)  # the page saw the dream as it went
    # the result's one copy, and one for each preview shown (the last one copied may never be shown)
    assert len(copies) - 1 <= len(shown) + 1
    assert out.shape == small_photo.shape
