#!/bin/sh
# The Docker image's entrypoint (Dockerfile):
#   (no arguments)    dream the notebook's photo (the astronaut without the sample photos) into /images
#   serve [FLAG...]   the web app on 0.0.0.0:7860; without --auth or --auth-file, a password is generated
#                     and printed once in the log (docker logs)
#   jupyter [ARG...]  JupyterLab on 0.0.0.0:8888 over the notebook (its login token is in the log)
#   anything else     python -m dream ARG... (photo.jpg -o photo-dream.jpg, video, class, download, --help)
# The GPU when the container was given one (docker run --gpus: /dev/nvidia0 on Linux, /dev/dxg under
# WSL2, Docker Desktop on Windows), else the CPU: one image for both. DREAM_GPU set by hand wins
# (-e DREAM_GPU= for the CPU even with a GPU).
set -eu
if [ -z "${DREAM_GPU+set}" ] && { [ -e /dev/nvidia0 ] || [ -e /dev/dxg ]; }; then
  export DREAM_GPU=0
fi
case "${1:-}" in
  serve)
    shift
    auth=--auth-token
    for arg in "$@"; do
      case "$arg" in --auth*) auth="" ;; esac  # any login flag, abbreviated ones (--auth-f) too
    done
    # a container's port is reached through its own address: 0.0.0.0 (a later --host wins)
    exec python -m dream serve --host 0.0.0.0 $auth "$@" ;;
  jupyter)
    shift
    exec jupyter lab --ip 0.0.0.0 --port 8888 --no-browser --ServerApp.root_dir=/opt/dream/notebooks "$@" ;;
  *)
    exec python -m dream "$@" ;;
esac
