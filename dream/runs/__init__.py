"""What the command line and the web app share about a run: its seed (seeds), its memory budget, the one
place that turns "none given" into bytes (budget), what each command's outputs record (metadata), how a
re-run knows it is done or where to resume (resume), and the stores a resumed run reads (zoom_frames,
classes). Both front ends import this; it imports neither. The dream itself is prepared in
dream.engine.prepare, and the notebook's parameters are dream.engine.parameters'."""
