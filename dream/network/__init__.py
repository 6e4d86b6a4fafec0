"""The net: Caffe's GoogLeNet loaded and fed (net), its layers' shapes and receptive fields (shapes,
receptive), what a dream of a size costs in memory (memory), and the BLAS kernel Caffe runs on (blas).
Everything else in dream stands on this; it imports nothing of dream but errors."""
