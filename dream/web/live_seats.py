"""Who is dreaming live: at most `limit` viewers at once, each with a LiveDream of their own (what carries from
their last frame to the next), all on one live net that they take in turns, a frame at a time: a fair share.
A viewer who stops sending frames (stopped the camera, closed the page, lost the connection) frees their seat
after IDLE_S, or when Gradio reports the page gone (its unload); nothing a viewer leaves behind outlives the seat."""
import threading
import time
from dataclasses import dataclass

from ..errors import DreamError
from ..video.live import LiveDream, RateMeter

IDLE_S = 4.0


@dataclass
class Seat:
    live: LiveDream
    meter: RateMeter
    last_used: float


class LiveSeats:
    """The seats, and the live net they share (loaded with the first viewer)."""

    def __init__(self, served, limit):
        self.served, self.limit = served, limit
        self.seats = {}  # session -> Seat
        self.lock = threading.Lock()  # the seats
        self.net_lock = threading.Lock()  # the live net: one frame at a time
        self.net = None

    def live_net(self):
        """A net of the served model for live frames only: a dream on another tab holds the served net for
        minutes, and a live frame must not wait for it."""
        with self.net_lock:
            if self.net is None:
                model = self.served.model
                self.net = model.load(self.served.net.dream_gpu)
            return self.net

    def take(self, session):
        """The viewer's seat (a new one for a new viewer); DreamError when every seat is taken."""
        from ..runs.budget import memory_budget
        now = time.monotonic()
        with self.lock:
            for other in [s for s, seat in self.seats.items() if now - seat.last_used > IDLE_S]:
                del self.seats[other]
            seat = self.seats.get(session)
            if seat is None:
                if len(self.seats) >= self.limit:
                    who = "one person is" if self.limit == 1 else f"{self.limit} people are"
                    raise DreamError(f"{who} dreaming live already, as many as this server allows; "
                                     f"try again in a minute")
                seat = self.seats[session] = Seat(None, RateMeter(), now)
            seat.last_used = now
        if seat.live is None:
            net = self.live_net()
            seat.live = LiveDream(net, budget=memory_budget(self.served.max_memory, gpu=getattr(net, "dream_gpu", None)))
        return seat

    def dream(self, seat, frame, settings):
        """The seat's next frame dreamed with these settings, on the live net, when its turn comes."""
        from ..network.net import use_net_device
        with self.net_lock:
            use_net_device(self.net)  # Gradio's worker threads start on the CPU, whatever --gpu the server has
            seat.live.change(**settings)
            return seat.live.dream(frame)

    def leave(self, session):
        with self.lock:
            self.seats.pop(session, None)
    def viewers(self):
        with self.lock:
            return len(self.seats)
