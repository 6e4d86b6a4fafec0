#!/usr/bin/env bash
# Builds the committed Dockerfile with buildah, on a machine with no Docker engine, and runs the image:
#   scripts/docker_check.sh [--cold]        as root; --cold first drops its images and the unnamed layers
# 1. The Dockerfile's base, debian:bookworm-slim, is never pulled: mmdebstrap makes Debian 12 from
#    Debian's archive, imported under that name (buildah bud --pull=never).
# 2. The image is built from a copy of the checkout's files (git's, untracked ones included, ignored ones
#    not), with DREAM_WEIGHTS=none (the weights are unreachable here) and CUDA_ARCH (default here: 90,
#    one architecture, for time; the Dockerfile's default builds five). Timed.
# 3. A line is added to a file in dream/ and the image built again, timed: the Caffe and weights layers
#    must come from the cache.
# 4. In the image (buildah run, chroot isolation; no GPU here, so the CPU): --help; a dream on seeded
#    random weights, whose pixels must equal the checkout's CPU build's (.venv); no arguments without
#    weights is one clear line; serve refuses 0.0.0.0 without auth, and with the image's generated
#    password refuses a wrong one and lets the right one in; jupyter answers with its token only
#    (scripts/docker_check_apps.py).
# Not in CI: a cold build takes about 9 minutes on 2 cores (CUDA_ARCH=90), the checks 1 more. Run it after a change to the Dockerfile,
# the entrypoint, install_caffe.sh or the dependencies. Logs: ~/.cache/dream/docker/.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=${DREAM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dream}/docker
CUDA_ARCH=${CUDA_ARCH:-90}
BASE=docker.io/library/debian:bookworm-slim
IMAGE=localhost/dream:check
# overlay, buildah's default as root, is what ran here. DRIVER=vfs where overlay cannot mount: not tried
# (vfs copies the whole file system for each layer: some 50 GB for this build)
DRIVER=${DRIVER:-overlay}
buildah() { command buildah --storage-driver "$DRIVER" "$@"; }
die() { echo "docker_check: $*" >&2; exit 1; }
say() { echo "==> $*" >&2; }

[ "$(id -u)" -eq 0 ] || die "needs root (buildah's storage and chroot isolation)"
# type -P: the PATH only (command -v would find the buildah function above on a machine without buildah)
for tool in buildah mmdebstrap; do
  type -P $tool >/dev/null || { say "installing $tool"; apt-get install -y -qq --no-install-recommends $tool >/dev/null; }
done
[ -x "$REPO/.venv/bin/python" ] || die "needs the checkout's CPU build to compare with: scripts/setup.sh first"
mkdir -p "$WORK"
if [ "${1:-}" = --cold ]; then
  say "dropping $IMAGE, $BASE and the unnamed layers (builds' caches)"
  buildah rmi --force "$IMAGE" "$BASE" >/dev/null 2>&1 || true
  buildah rmi --prune >/dev/null 2>&1 || true
fi

# --- 1. the base ------------------------------------------------------------------------------
if ! buildah inspect --type image "$BASE" >/dev/null 2>&1; then
  say "making $BASE from Debian's archive (mmdebstrap)"
  # This machine's network inspects TLS with certificate authorities of its own: the stand-in trusts
  # them as the host does (the image's ca-certificates picks them up; pip is pointed at the system's
  # bundle, as the host's PIP_CERT does). Docker Hub's base on an ordinary network needs neither.
  hooks=(--customize-hook='mkdir -p "$1/usr/local/share/ca-certificates"'
         --customize-hook='printf "[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n" > "$1/etc/pip.conf"')
  for crt in /usr/local/share/ca-certificates/*.crt; do
    [ -f "$crt" ] && hooks+=(--customize-hook="copy-in $crt /usr/local/share/ca-certificates")
  done
  mmdebstrap --variant=apt --quiet "${hooks[@]}" bookworm "$WORK/bookworm.tar"
  c=$(buildah from scratch)
  buildah add --quiet "$c" "$WORK/bookworm.tar" / >/dev/null
  buildah config --cmd bash "$c"
  buildah commit --quiet "$c" "$BASE" >/dev/null
  buildah rm "$c" >/dev/null
fi

# --- 2, 3. build; change dream/; build again ------------------------------------------------------
CONTEXT=$WORK/context
rm -rf "$CONTEXT" && mkdir -p "$CONTEXT"
# (tracked files deleted in the work tree are left out: tar would stop at them)
(cd "$REPO" && git ls-files -co --exclude-standard -z \
   | while IFS= read -r -d '' f; do if [ -e "$f" ]; then printf '%s\0' "$f"; fi; done \
   | tar --null -T - -cf -) | tar -xf - -C "$CONTEXT"
build() {  # $1: log name; prints the seconds it took
  local started=$SECONDS
  buildah bud --isolation chroot --pull=never --layers --build-arg CUDA_ARCH="$CUDA_ARCH" --build-arg DREAM_WEIGHTS=none \
    -t "$IMAGE" "$CONTEXT" >"$WORK/$1.log" 2>&1 || { tail -30 "$WORK/$1.log" >&2; die "build failed: $WORK/$1.log"; }
  echo $((SECONDS - started))
}
cached() {  # true if the build log $1 took step $2 (a pattern) from the cache; dies if it has no such step
  local step="^(\[[0-9/]+\] )?STEP [0-9/]+: .*$2"
  grep -q -E "$step" "$WORK/$1.log" || die "no step '$2' in $WORK/$1.log"
  grep -A1 -E "$step" "$WORK/$1.log" | grep -q -- "--> Using cache"
}
say "building the image (CUDA_ARCH=$CUDA_ARCH, DREAM_WEIGHTS=none): log $WORK/build.log"
first=$(build build)
say "built in ${first} s"
echo "# docker_check: a change to the code ($(date +%s.%N))" >> "$CONTEXT/dream/errors.py"
second=$(build rebuild)
for step in "install_caffe.sh --gpu" "docker_runtime_files.sh /opt" "dependencies.py web" "download.py bvlc_googlenet"; do
  cached rebuild "$step" || die "after a change in dream/, the step '$step' was not taken from the cache ($WORK/rebuild.log)"
done
cached rebuild "COPY dream/ /opt/dream/dream/" && die "the changed dream/ was taken from the cache ($WORK/rebuild.log)"
say "after a change in dream/: built again in ${second} s; Caffe, the dependencies and the weights from the cache"

# --- 4. run it ----------------------------------------------------------------------------------
c=$(buildah from --pull=never "$IMAGE")
trap 'buildah rm "$c" >/dev/null 2>&1' EXIT
# buildah 1.28's run gives a VOLUME path its own empty folder over any bind: the declaration is dropped
# from this container, so that the bind below lands as docker run's -v does
buildah config --volume /images- "$c"
# /images bound to a folder here, as `docker run -v "$PWD/images:/images"` does
IMAGES=$WORK/images
rm -rf "$IMAGES" && mkdir -p "$IMAGES" && chown 1000:1000 "$IMAGES"
run() { buildah run --isolation chroot --volume "$IMAGES:/images" "$c" -- "$@"; }
[ "$(run id -un)" = dream ] || die "the image does not run as its user 'dream'"
run dream-entrypoint --help | grep -q "^usage: python -m dream" || die "dream-entrypoint --help"
say "--help: ok, as user dream; $(run python -c 'import google.protobuf as p, caffe, numpy; print(f"protobuf {p.__version__}, numpy {numpy.__version__}, caffe from {caffe.__file__}")' 2>/dev/null)"

PROTOTXT=/opt/dream/dream/model_definitions/bvlc_googlenet/deploy.prototxt
# (Caffe's GPU build in CPU mode logs that it found no GPU: not shown)
cp "$REPO/scripts/random_weights.py" "$REPO/scripts/docker_check_apps.py" "$IMAGES/"
run python /images/random_weights.py /images/random.caffemodel 2>/dev/null || die "could not make the random weights in the image"
# (buildah adds two lines of its own when the command fails)
out=$(run dream-entrypoint 2>&1 | grep -v -e "^subprocess exited with status" -e "^Error: exit status") \
  && die "no arguments, no weights: it should have failed"
[[ "$(tail -1 <<<"$out")" == "dream: error: weights not found: "* ]] && [[ "$out" != *Traceback* ]] \
  || die "no arguments, no weights: not one error line: $out"
say "no arguments without weights: '$(tail -1 <<<"$out")'"
started=$SECONDS
run sh -c "cd /images && dream-entrypoint --prototxt $PROTOTXT --weights /images/random.caffemodel --seed 0 -o astronaut-dream.png" 2>&1 | tail -1
[ "$(stat -c %u "$IMAGES/astronaut-dream.png")" = 1000 ] || die "the dream in /images does not belong to uid 1000"
say "a CPU dream in the image (the default astronaut, random weights): $((SECONDS - started)) s, $(stat -c %s "$IMAGES/astronaut-dream.png") bytes in /images, uid 1000's"
(cd "$WORK" && "$REPO/.venv/bin/python" -m dream --prototxt "$REPO/dream/model_definitions/bvlc_googlenet/deploy.prototxt" \
   --weights "$IMAGES/random.caffemodel" --seed 0 -o host-dream.png --overwrite 2>"$WORK/host-dream.log") \
  || die "the checkout's dream failed: $(tail -1 "$WORK/host-dream.log")"
"$REPO/.venv/bin/python" - "$IMAGES/astronaut-dream.png" "$WORK/host-dream.png" <<'PY' || die "the image's dream differs from the checkout's CPU build's"
import sys, numpy as np, PIL.Image
a, b = (np.asarray(PIL.Image.open(p)) for p in sys.argv[1:])
same_bytes = open(sys.argv[1], "rb").read() == open(sys.argv[2], "rb").read()
print(f"==> the image's dream against the checkout's CPU build: {a.shape}, pixels equal: {np.array_equal(a, b)}, "
      f"files equal: {same_bytes}", file=sys.stderr)
sys.exit(not np.array_equal(a, b))
PY

run python /images/docker_check_apps.py $PROTOTXT /images/random.caffemodel
say "all checks passed; first build ${first} s (cold only with --cold or a new cache), after a change ${second} s"
