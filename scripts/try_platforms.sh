#!/usr/bin/env bash
# The README's two commands, as a newcomer (a user with sudo, git and python3-venv, nothing else) in a
# fresh root filesystem of each Debian SUITE: scripts/try_in_rootfs.sh. Not for CI: a platform takes
# 10 to 15 minutes on 2 cores (the Caffe build, the browser, the whole suite).
#   scripts/try_platforms.sh [SUITE...]      (default: bookworm trixie bullseye)
# The first command's download cannot reach Caffe's server from the project's machines: where it fails,
# the dream runs on seeded random weights instead (the same code path, other pictures). Logs and a
# summary line per suite go to ~/.cache/dream/tries/.
set -uo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LOGS=${DREAM_CACHE:-$HOME/.cache/dream}/tries
mkdir -p "$LOGS"
NEWCOMER='
set -e
start=$(date +%s)
if ! (scripts/setup.sh && scripts/download_models.sh && .venv/bin/python -m dream); then
  [ -x .venv/bin/python ] && .venv/bin/python -c "import dream, caffe" || exit 1
  echo "==> the weights are unreachable here: the dream on seeded random weights" >&2
  P=$(.venv/bin/python -c "from dream.models import named_model; print(named_model(\"bvlc_googlenet\").prototxt)")
  .venv/bin/python -c "import caffe, sys; caffe.set_random_seed(0); caffe.Net(sys.argv[1], caffe.TEST).save(\"/tmp/random.caffemodel\")" "$P"
  .venv/bin/python -m dream --prototxt "$P" --weights /tmp/random.caffemodel -o /tmp/astronaut-dream.jpg
fi
echo "==> TIME first command: $(( $(date +%s) - start )) s" >&2
start=$(date +%s)
scripts/test.sh -p no:cacheprovider && rc=0 || rc=$?
echo "==> TIME scripts/test.sh: $(( $(date +%s) - start )) s, rc $rc" >&2
exit $rc
'
for suite in "${@:-bookworm trixie bullseye}"; do
  for s in $suite; do
    log=$LOGS/$s-$(date +%Y%m%d-%H%M).log
    echo "==> $s: $log" >&2
    start=$(date +%s)
    "$REPO/scripts/try_in_rootfs.sh" --as newcomer "$s" "$NEWCOMER" >"$log" 2>&1; rc=$?
    summary=$(grep -E "^==> TIME|[0-9]+ passed|[0-9]+ failed" "$log" | tail -4 | tr '\n' ' ')
    echo "$(date -u +%F) $s rc=$rc $(( $(date +%s) - start ))s $summary" | tee -a "$LOGS/summary.txt"
  done
done
