"""The notebook's dream: one gradient step (step), octaves (octaves), a guide image's features (guide),
the zoom loop (zoom), tiles for photos larger than memory (tiles, tiled_step), a mask (mask) and a
layer gallery (gallery). Objectives plug into make_step; the engine never reads a command line."""
