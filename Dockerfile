# dream in one image for GPU and CPU: Caffe is the CUDA build, which runs in CPU mode where no GPU is
# given (the way in on macOS and Windows). Build from the repository root:
#   docker build -t dream .
#   docker run --rm -v "$PWD/images:/images" dream                 dream the notebook's photo into images/
#   docker run --rm --gpus all -v "$PWD/images:/images" dream      the same on the GPU (driver >= 580)
#   docker run --rm -p 7860:7860 dream serve                        the web app, password printed once
#   docker run --rm -p 8888:8888 dream jupyter                      the notebook
# Build arguments: CUDA_ARCH (GPU architectures), DREAM_WEIGHTS and DREAM_MIRROR (offline builds), below.
# scripts/docker_check.sh builds this file with buildah and runs the image; docs/docker.md
# says what was checked.
#
# Debian 12, not nvidia/cuda: the CUDA toolkit and libraries are PyPI's wheels (scripts/install_caffe.sh
# --gpu), so any Debian base has CUDA; the base is one these machines can make (mmdebstrap), and pycaffe
# gets the same Debian 12 libraries (Boost 1.74, protobuf 3.21, BLIS 0.9) as the tested CPU build.
# CUDA 13.0 needs NVIDIA's driver 580 or newer on the host, and the NVIDIA Container Toolkit (--gpus).

FROM debian:bookworm-slim AS base
ENV DEBIAN_FRONTEND=noninteractive LANG=C.UTF-8 PYTHONDONTWRITEBYTECODE=1
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 ca-certificates \
 && rm -rf /var/lib/apt/lists/*

# --- build: Caffe with CUDA; the toolkit and the compilers stay in this stage -----------------------
FROM base AS build
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3-venv python3-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/dream
# Only what builds Caffe: a change anywhere else (dream/, tests/) reuses this layer.
COPY scripts/install_caffe.sh scripts/make_venv.sh scripts/fetch_caffe_source.py scripts/
COPY scripts/patches/ scripts/patches/
# The architectures CUDA compiles Caffe's kernels for (numbers, as nvcc's sm_XX): Turing to Hopper, and
# PTX for the last, which newer GPUs compile when loading. One, e.g. 90, compiles in 5 minutes, not 8, here.
ARG CUDA_ARCH="75 80 86 89 90"
# The same script CI builds the CPU Caffe with, in its CUDA mode; pip's downloads cached across builds.
# DREAM_CACHE: the build folder, whose path pycaffe's libraries keep (RUNPATH) into the runtime stage.
RUN --mount=type=cache,target=/root/.cache/pip \
    DREAM_CACHE=/opt/caffe DREAM_VENV=/opt/dream/.venv CUDA_ARCH="$CUDA_ARCH" scripts/install_caffe.sh --gpu
# What runs, by its own paths, in /runtime: pycaffe, libcaffe, and CUDA's runtime, cuBLAS and cuRAND
# (not nvcc, the headers or the static libraries).
COPY scripts/docker_runtime_files.sh scripts/
RUN scripts/docker_runtime_files.sh /opt/dream/.venv /runtime
# dream's dependencies before dream itself: a code change then installs nothing.
COPY pyproject.toml ./
COPY scripts/dependencies.py scripts/
RUN --mount=type=cache,target=/root/.cache/pip \
    .venv/bin/python scripts/dependencies.py web video cluster notebook > /tmp/requirements.txt \
 && .venv/bin/python -m pip install -q -r /tmp/requirements.txt \
 && echo /opt/dream > "$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/dream.pth"

# --- weights: sha1-checked, in a stage of their own -----------------------------------------------
FROM base AS weights
ENV DREAM_MODELS=/models
# download: fetch what the build context's models/ lacks (scripts/download_models.sh on the host fills
#           it: then the build needs no internet for them); none: only what models/ holds, so that an
#           image can be built offline and given its weights at run time (-v DIR:/models).
ARG DREAM_WEIGHTS=download
# A base URL (or a folder inside models/, as /models/DIR) holding the files by their download names.
ARG DREAM_MIRROR=""
COPY dream/download.py /opt/download/
COPY dream/model_definitions/ /opt/download/model_definitions/
COPY models/ /models/
RUN case "$DREAM_WEIGHTS" in \
      download) python3 /opt/download/download.py bvlc_googlenet samples ;; \
      none) echo "DREAM_WEIGHTS=none: no download; the image holds: $(find /models -type f -printf '%p ')" ;; \
      *) echo "DREAM_WEIGHTS must be download or none (got '$DREAM_WEIGHTS')" >&2; exit 2 ;; \
    esac

# --- the image ---------------------------------------------------------------------------------------
FROM base
# pycaffe's libraries from Debian 12: those libcaffe and _caffe.so load, as the build found them.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends libboost-thread1.74.0 libboost-filesystem1.74.0 \
      libboost-python1.74.0 libgoogle-glog0v6 libgflags2.2 libprotobuf32 libhdf5-103-1 libhdf5-hl-100 \
      libblis4-openmp libgomp1 libpython3.11 \
 && rm -rf /var/lib/apt/lists/*
# Not root: files written to /images belong to uid 1000, the first user on most hosts.
RUN useradd --create-home --uid 1000 dream && mkdir /images /models && chown dream:dream /images /models
# The GPU on any base: the NVIDIA Container Toolkit reads these (nvidia/cuda images set them too).
ENV NVIDIA_VISIBLE_DEVICES=all NVIDIA_DRIVER_CAPABILITIES=compute,utility \
    DREAM_MODELS=/models PATH=/opt/dream/.venv/bin:$PATH HOME=/home/dream
COPY --from=build /runtime/ /
COPY --from=build /opt/dream/.venv/ /opt/dream/.venv/
# The library list above is typed by hand: a missing one fails the build here, not the first run.
RUN python -c "import caffe"
COPY --from=weights --chown=dream:dream /models/ /models/
COPY scripts/docker-entrypoint.sh /usr/local/bin/dream-entrypoint
# Last, and small: the code. A change here rebuilds from this line on.
COPY pyproject.toml /opt/dream/
COPY dream/ /opt/dream/dream/
COPY --chown=dream:dream notebooks/ /opt/dream/notebooks/
USER 1000:1000
WORKDIR /images
VOLUME ["/images"]
EXPOSE 7860 8888
ENTRYPOINT ["dream-entrypoint"]
