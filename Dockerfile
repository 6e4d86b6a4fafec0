# dream on a GPU-built Caffe. Build from the repository root:
#   docker build -t dream .
#   docker run --gpus all -v "$PWD/images:/images" dream photo.jpg -o photo-dream.jpg
FROM nvidia/cuda:13.0.0-devel-ubuntu22.04

# Ubuntu 22.04's python3 (3.10) matches its Boost.Python, which pycaffe links against.
ENV DEBIAN_FRONTEND=noninteractive \
    PYTHON=/usr/bin/python3 \
    DREAM_CACHE=/opt/dream-cache

# Only the interpreter here: scripts/install_caffe.sh installs Caffe's build dependencies.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv python3-dev ca-certificates \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/dream
COPY . .

# The same script that builds the CPU Caffe in CI, in its CUDA mode, so the two cannot drift.
RUN scripts/setup.sh --gpu notebook

# Weights and the notebook's photos at build time, each checked against its sha1
# (a layer of its own, so a rebuild after a code change does not download again).
# hadolint ignore=DL3059
RUN scripts/download_models.sh bvlc_googlenet samples

# With no arguments: dream the notebook's sky photo into /images, on GPU 0
# (DREAM_GPU=0 acts as --gpu 0). Arguments go to python -m dream.
ENV DREAM_GPU=0
WORKDIR /images
VOLUME ["/images"]
EXPOSE 8888
ENTRYPOINT ["/opt/dream/.venv/bin/python", "-m", "dream"]
