"""What a page shows of a running job: a bar, where the job is in words (the octave, the step) and about
how long it has left, estimated from the work done so far."""
import html
import time


def bar(text, fraction=None, seconds_left=None):
    """The progress's HTML: a bar at `fraction` (None: no bar, as for "cancelled"), the words, the time left."""
    left = "" if seconds_left is None else f" · {about(seconds_left)} left"
    shown = "" if fraction is None else (f'<progress value="{fraction:.4f}" max="1" '
                                         f'style="width:100%;height:14px"></progress>')
    return f'<div class="dream-progress">{shown}<div>{html.escape(text)}{left}</div></div>'


def about(seconds):
    """'about 40 s', 'about 3 min'."""
    return f"about {max(1, round(seconds))} s" if seconds < 90 else f"about {round(seconds / 60)} min"


def seconds_left(started, fraction):
    """The time left of a job started at `started` (time.monotonic()) that has done `fraction` of its work;
    None until there is something to go by."""
    if not fraction or fraction >= 1:
        return None
    return (time.monotonic() - started) * (1 - fraction) / fraction


def dream_fraction(params, height, width, octave, step):
    """How much of a dream is done after `step` (from 0) of `octave` (from 0, the smallest first): each step
    weighed by its octave's pixels, which is what a step costs."""
    from ..engine.octaves import octave_sizes
    areas = [h * w for h, w in octave_sizes(height, width, params.octaves, params.octave_scale)][::-1]
    done = sum(areas[:octave]) * params.iters + areas[octave] * (step + 1)
    return done / (sum(areas) * params.iters)
