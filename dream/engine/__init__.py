"""The notebook's dream and the loops beside it: the objective a step ascends (objective), one gradient
step (step), octaves (octaves), one prepared dream (prepare) and its parameters (parameters), a guide
image's features (guide), the zoom loop (zoom), tiles for photos larger than memory (tiles, tiled_step),
a mask (mask), a layer gallery (gallery), and the two other render loops: feature inversion (enhance)
and class visualisation (classvis). The engine never reads a command line."""
