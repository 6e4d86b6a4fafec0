"""The device loop (issue 34): deepdream's octaves with the image kept in Caffe's own buffers, its
step, jitter, clip and zooms written as kernels. reference.py: each kernel's arithmetic in numpy,
equal to the host loop's bit for bit."""
