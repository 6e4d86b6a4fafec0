"""What the command line and the web app share about a run: its parameters with their defaults and
limits (parameters), its seed (seeds), its memory budget (budget), what its outputs record and how a
re-run knows it is done (metadata), and the stores a resumed run reads (zoom_frames, classes, video).
Neither front end imports the other; both import this."""
