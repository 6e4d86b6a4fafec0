#!/usr/bin/env bash
# notebooks/colab.ipynb run the way Colab runs it, as far as can be done here: root, the system's
# Python with pip and no virtual environment, in a fresh Debian 13 (trixie: Python 3.13, as Colab's)
# root filesystem (scripts/try_in_rootfs.sh), executed twice by nbclient: the first run builds,
# the second must find the build. Colab's own machine (Ubuntu 24.04, its own Python 3.13, a GPU
# perhaps) cannot be reached from the project's machines: docs/install.md#colab says what differs.
#   scripts/try_colab.sh [SUITE]     (default: trixie)         needs root and mmdebstrap
# Where the weights cannot be downloaded, the notebook dreams on seeded random weights, and says so.
set -uo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SUITE=${1:-trixie}
LOGS=${DREAM_CACHE:-$HOME/.cache/dream}/tries
mkdir -p "$LOGS"
COLAB='
set -e
# Colab lets pip install into its Python (no EXTERNALLY-MANAGED marker), and keeps notebooks in /content
rm -f /usr/lib/python3*/EXTERNALLY-MANAGED
mkdir -p /content
python3 -m pip install -q nbclient ipykernel 2>&1 | grep -v "^WARNING: Running pip as" || true
for run in 1 2; do
  start=$(date +%s)
  DREAM_GIT=/root/dream DREAM_HOME=/content/dream python3 - <<PY
import nbclient, nbformat
nb = nbformat.read("/root/dream/notebooks/colab.ipynb", as_version=4)
nbclient.NotebookClient(nb, timeout=3600, kernel_name="python3").execute()
for cell in nb.cells:
    for out in cell.get("outputs", []):
        print(out.get("text", "").rstrip()[-1500:] or sorted(out.get("data", {})))
nbformat.write(nb, "/content/colab-run-$run.ipynb")
PY
  echo "==> TIME notebook run $run: $(( $(date +%s) - start )) s" >&2
done
python3 -c "import caffe, dream, sys; print(\"==> the notebook Python\", sys.executable, \"imports\", caffe.__file__)" >&2
test -s /content/dream.jpg && echo "==> /content/dream.jpg: $(stat -c %s /content/dream.jpg) bytes" >&2
'
log=$LOGS/$SUITE-colab-$(date +%Y%m%d-%H%M).log
echo "==> $SUITE (colab): $log" >&2
start=$(date +%s)
"$REPO/scripts/try_in_rootfs.sh" --as root --include python3-pip "$SUITE" "$COLAB" >"$log" 2>&1; rc=$?
summary=$(grep -E "^==> (TIME|the notebook|/content)" "$log" | tr '\n' ' ')
echo "$(date -u +%F) $SUITE colab rc=$rc $(( $(date +%s) - start ))s $summary" | tee -a "$LOGS/summary.txt"
exit $rc
