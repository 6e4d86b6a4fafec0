#!/usr/bin/env bash
# Tries a way in as a newcomer would: a fresh Debian root filesystem (mmdebstrap, from Debian's
# archive) with only git and python3-venv, a clean clone of this repository's HEAD in it, and
# COMMAND run there as root (chroot, with /proc, /sys and /dev from this machine).
#
#   scripts/try_in_rootfs.sh SUITE COMMAND...
#   scripts/try_in_rootfs.sh bookworm 'scripts/setup.sh --gpu && .venv/bin/python -c "import caffe"'
#
# Needs root and mmdebstrap (apt-get install mmdebstrap). The root filesystem is made in a
# temporary folder and deleted at the end; its log says how each step went.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
[ $# -ge 2 ] || { sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
SUITE=$1; shift
command -v mmdebstrap >/dev/null || { echo "try_in_rootfs: needs mmdebstrap (apt-get install mmdebstrap)" >&2; exit 1; }
ROOT=$(mktemp -d /var/tmp/dream-rootfs.XXXXXX)
cleanup() {
  for m in dev/pts dev sys proc; do umount -R "$ROOT/$m" 2>/dev/null || true; done
  rm -rf --one-file-system "$ROOT"
}
trap cleanup EXIT
echo "==> $SUITE root filesystem in $ROOT" >&2
mmdebstrap --quiet --variant=apt --include=git,python3-venv,ca-certificates "$SUITE" "$ROOT" \
  http://deb.debian.org/debian
git clone -q "$REPO" "$ROOT/root/dream"
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
# This machine's network: its certificate authorities (a network that inspects TLS has one of its
# own, which a fresh system lacks). A newcomer's own machine needs no such step.
cp /etc/ssl/certs/ca-certificates.crt "$ROOT/etc/ssl/certs/ca-certificates.crt"
mount -t proc proc "$ROOT/proc"
mount --rbind /sys "$ROOT/sys"
mount --bind /dev "$ROOT/dev"
mount --bind /dev/pts "$ROOT/dev/pts"
echo "==> in $SUITE, as a newcomer: $*" >&2
chroot "$ROOT" /usr/bin/env -i HOME=/root PATH=/usr/local/bin:/usr/bin:/bin TERM=dumb \
  PIP_CERT=/etc/ssl/certs/ca-certificates.crt \
  bash -c "cd /root/dream && $*"
