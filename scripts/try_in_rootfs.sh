#!/usr/bin/env bash
# Tries a way in as a newcomer would: a fresh Debian root filesystem (mmdebstrap, from Debian's
# archive) with only git, python3-venv and sudo, a clean clone of this repository's HEAD in it, and
# COMMAND run there (chroot, with /proc, /sys and /dev from this machine).
#
#   scripts/try_in_rootfs.sh [--as WHO] [--include PKGS] SUITE COMMAND...
#     --as root       COMMAND runs as root, in /root/dream
#     --as newcomer   as a user with sudo (no password), in /home/newcomer/dream   (the default)
#     --as nosudo     as a user without sudo (none installed): root installs --include first, nothing after
#     --include PKGS  more Debian packages in the root filesystem (comma-separated)
#   scripts/try_in_rootfs.sh bookworm 'scripts/setup.sh --gpu && .venv/bin/python -c "import caffe"'
#   scripts/try_in_rootfs.sh --as nosudo --include build-essential,cmake trixie 'scripts/setup.sh --prefix'
#
# Needs root and mmdebstrap (apt-get install mmdebstrap). The root filesystem is made in a
# temporary folder and deleted at the end; the output says how each step went.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WHO=newcomer INCLUDE=git,python3-venv,ca-certificates,passwd  # passwd: useradd (not required in trixie)
while [ $# -gt 0 ]; do
  case "$1" in
    --as) WHO=$2; shift 2 ;;
    --include) INCLUDE=$INCLUDE,$2; shift 2 ;;
    *) break ;;
  esac
done
[ $# -ge 2 ] || { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
case "$WHO" in root|newcomer|nosudo) ;; *) echo "try_in_rootfs: --as root, newcomer or nosudo" >&2; exit 2 ;; esac
SUITE=$1; shift
if [ "$WHO" = newcomer ]; then INCLUDE=$INCLUDE,sudo; fi
command -v mmdebstrap >/dev/null || { echo "try_in_rootfs: needs mmdebstrap (apt-get install mmdebstrap)" >&2; exit 1; }
ROOT=$(mktemp -d /var/tmp/dream-rootfs.XXXXXX)
cleanup() {
  for m in dev sys proc; do umount -R "$ROOT/$m" 2>/dev/null || true; done
  rm -rf --one-file-system "$ROOT"
}
trap cleanup EXIT
trap 'exit 130' INT TERM  # the cleanup runs when the try is stopped too
echo "==> $SUITE root filesystem in $ROOT (with $INCLUDE)" >&2
# A testing suite's Release file is valid for a week only, and the mirror the project's machines reach
# runs a few weeks behind: apt there (mmdebstrap's, then the root filesystem's own, which keeps the
# option) is told not to check. A newcomer on a live mirror needs no such step.
APTOPT=()
case "$SUITE" in forky|testing|sid|unstable) APTOPT=(--aptopt='Acquire::Check-Valid-Until "false"') ;; esac
mmdebstrap --quiet --variant=apt "${APTOPT[@]}" --include="$INCLUDE" "$SUITE" "$ROOT" http://deb.debian.org/debian
cp /etc/resolv.conf "$ROOT/etc/resolv.conf"
# This machine's network: its certificate authorities (a network that inspects TLS has one of its
# own, which a fresh system lacks). A newcomer's own machine needs no such step.
cp /etc/ssl/certs/ca-certificates.crt "$ROOT/etc/ssl/certs/ca-certificates.crt"
HOME_DIR=/root USERSPEC=root:root
if [ "$WHO" != root ]; then
  chroot "$ROOT" useradd --create-home --shell /bin/bash newcomer
  if [ "$WHO" = newcomer ]; then echo "newcomer ALL=(ALL) NOPASSWD: ALL" > "$ROOT/etc/sudoers.d/newcomer"; fi
  HOME_DIR=/home/newcomer USERSPEC=newcomer:newcomer
fi
git clone -q "$REPO" "$ROOT$HOME_DIR/dream"
chroot "$ROOT" chown -R "$USERSPEC" "$HOME_DIR/dream"
mount -t proc proc "$ROOT/proc"
mount --rbind /sys "$ROOT/sys"
mount --make-rslave "$ROOT/sys"
mount --rbind /dev "$ROOT/dev"  # with /dev/shm and /dev/pts: multiprocessing's semaphores live in /dev/shm
mount --make-rslave "$ROOT/dev"
echo "==> in $SUITE, as $WHO: $*" >&2
chroot --userspec="$USERSPEC" "$ROOT" /usr/bin/env -i HOME="$HOME_DIR" USER="${USERSPEC%%:*}" \
  PATH=/usr/local/bin:/usr/bin:/bin TERM=dumb PIP_CERT=/etc/ssl/certs/ca-certificates.crt \
  bash -c "cd $HOME_DIR/dream && $*"
