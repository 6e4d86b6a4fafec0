#!/usr/bin/env bash
# Fetches and verifies models and sample photos: scripts/download_models.sh [NAME...] [--from DIR]
# Names: bvlc_googlenet (default), googlenet_places205, samples (default). See --help.
# The same as 'python -m dream download'; this runs before the venv exists (standard library only).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
exec "${PYTHON:-python3}" "$HERE/../dream/download.py" "$@"
