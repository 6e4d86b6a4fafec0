#!/usr/bin/env bash
# Fetches and verifies models and sample photos: scripts/download_models.sh [NAME...] [--from DIR]
# Names: bvlc_googlenet (default), googlenet_places205, samples (default). See --help.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
exec "${PYTHON:-python3}" "$HERE/download_models.py" "$@"
