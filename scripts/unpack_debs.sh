#!/usr/bin/env bash
# Unpacks Debian packages, and what they depend on that this system lacks, into PREFIX, with no root:
# apt-get download fetches them (with a package list of its own in the cache, since only root can
# update the system's), dpkg -x unpacks them. Nothing is installed, and dpkg's database is not touched.
#   scripts/unpack_debs.sh PREFIX PACKAGE...
# What was unpacked is recorded in PREFIX/.dream-packages; the same request a second time does nothing.
set -euo pipefail
PREFIX=$1; shift
CACHE=${DREAM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dream}
APT=$CACHE/apt-prefix
die() { echo "unpack_debs: $*" >&2; exit 1; }
want=$(echo "$@" | tr ' ' '\n' | sort | tr '\n' ' ')
if [ "$(head -1 "$PREFIX/.dream-packages" 2>/dev/null)" = "$want" ]; then exit 0; fi
mkdir -p "$APT/lists/partial" "$APT/cache/archives/partial" "$APT/debs"
# The system's sources and its dpkg status (what is installed), the lists and cache in $APT.
aptopts=(-o Dir::State::Lists="$APT/lists" -o Dir::Cache="$APT/cache" -o Debug::NoLocking=true
         -o APT::Sandbox::User="$(id -un)")
echo "==> reading Debian's package lists (into $APT, no root needed)" >&2
apt-get "${aptopts[@]}" update -qq 2>&1 | grep -v "^W: " >&2 || true
# What installing them would add: "Inst NAME (VERSION ...)". Packages installed already keep the
# system's version ("Inst NAME [OLD] (NEW ...)" lines, upgrades, are left out: never a second libc).
plan=$(apt-get "${aptopts[@]}" -s install --no-install-recommends "$@" 2>&1) \
  || die "apt cannot resolve $*: $(echo "$plan" | grep '^E:' | head -3 | tr '\n' ' ')"
debs=$(awk '$1=="Inst" && $3 ~ /^\(/ {v=$3; sub(/^\(/, "", v); print $2 "=" v}' <<<"$plan")
echo "==> unpacking $(wc -w <<<"$debs") packages into $PREFIX" >&2
rm -rf "$APT/debs" && mkdir -p "$APT/debs"
[ -z "$debs" ] || (cd "$APT/debs" && apt-get "${aptopts[@]}" download -qq $debs) || die "apt-get download failed"
mkdir -p "$PREFIX"
for deb in "$APT"/debs/*.deb; do
  [ -e "$deb" ] || continue
  dpkg -x "$deb" "$PREFIX" || die "dpkg -x $deb failed"
done
# Links that name a system path (/usr/lib/...) point into the prefix instead, where the file now is
find "$PREFIX" -type l -lname '/*' | while read -r link; do
  target=$(readlink "$link")
  if [ -e "$PREFIX$target" ] || [ -L "$PREFIX$target" ]; then ln -sfn "$PREFIX$target" "$link"; fi
done
{ echo "$want"; echo "$debs"; } > "$PREFIX/.dream-packages"
