#!/usr/bin/env bash
# Builds the kubeflow-mcp container image with buildah, from a Node base made here: a minimal
# Debian (debootstrap) plus this machine's Node.js and npm. For machines that reach Debian's
# packages but no container registry. With --smoke it then runs the image's server as its
# non-root user on a read-only copy of the image's root filesystem and checks that it answers
# tools/list over stdio.
#
# Needs root, buildah and debootstrap (apt-get install buildah debootstrap).
# Usage: scripts/build-image.sh [--smoke] [--tag NAME]
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
work="${KMCP_IMAGE_WORK:-/var/tmp/kubeflow-mcp-image}"
suite="${KMCP_DEBIAN_SUITE:-bookworm}"
mirror="${KMCP_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
version="$(node -p "require('$root/package.json').version")"
tag="localhost/kubeflow-mcp:$version"
base="localhost/kubeflow-mcp-node-base:$(node -p 'process.versions.node')"
smoke=false

while [ $# -gt 0 ]; do
  case "$1" in
    --smoke) smoke=true ;;
    --tag) tag="$2"; shift ;;
    *) echo "usage: $0 [--smoke] [--tag NAME]" >&2; exit 2 ;;
  esac
  shift
done

for tool in buildah debootstrap node; do
  command -v "$tool" >/dev/null || { echo "build-image: $tool is not installed (apt-get install buildah debootstrap)" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "build-image: run as root (debootstrap and buildah's chroot isolation need it)" >&2; exit 1; }

say() { printf '[build-image] %s\n' "$*" >&2; }
mkdir -p "$work"

# 1. The base: minimal Debian, cached between runs.
rootfs="$work/rootfs-$suite"
if [ ! -x "$rootfs/bin/sh" ]; then
  say "debootstrap $suite (minbase) into $rootfs"
  rm -rf "$rootfs.partial"
  debootstrap --variant=minbase "$suite" "$rootfs.partial" "$mirror" >"$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log" >&2; exit 1; }
  mv "$rootfs.partial" "$rootfs"
fi

# 2. Node.js and npm laid out as the official node images have them (/usr/local).
node_bin="$(readlink -f "$(command -v node)")"
npm_dir="$(cd "$(dirname "$(readlink -f "$(command -v npm)")")/.." && pwd)"
say "base image $base (Node $(node -p 'process.version') from this machine)"
ctr="$(buildah from scratch)"
cleanup() { buildah rm "$ctr" >/dev/null 2>&1 || true; }
trap cleanup EXIT
mnt="$(buildah mount "$ctr")"
cp -a "$rootfs/." "$mnt/"
install -D -m 0755 "$node_bin" "$mnt/usr/local/bin/node"
mkdir -p "$mnt/usr/local/lib/node_modules"
cp -a "$npm_dir" "$mnt/usr/local/lib/node_modules/npm"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$mnt/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$mnt/usr/local/bin/npx"
# The build stage reaches the npm registry as this machine does: its resolver and its CA trust
# (which may include a TLS-inspecting proxy's CA), for Node and npm alike.
cp /etc/resolv.conf "$mnt/etc/resolv.conf"
ca=/etc/ssl/certs/ca-certificates.crt
if [ -f "$ca" ]; then
  install -D -m 0644 "$ca" "$mnt$ca"
  mkdir -p "$mnt/usr/local/etc"
  printf 'cafile=%s\n' "$ca" >"$mnt/usr/local/etc/npmrc"
fi
buildah umount "$ctr" >/dev/null
buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin ${ca:+--env NODE_EXTRA_CA_CERTS=$ca} "$ctr"
buildah commit --quiet "$ctr" "$base" >/dev/null
buildah rm "$ctr" >/dev/null

# 3. The image itself, from the project's Dockerfile.
say "building $tag"
buildah bud --quiet --isolation chroot --layers=false --build-arg "NODE_BASE=$base" -t "$tag" -f "$root/Dockerfile" "$root" >/dev/null
say "built $tag ($(buildah inspect --format '{{.Docker.Config.User}}' "$tag" 2>/dev/null || echo '?') user)"

$smoke || exit 0

# 4. Smoke: the server of the image, as its own user, on a read-only root with a tmpfs /tmp (as
# deploy/ runs it), answers initialize and tools/list over stdio.
ctr="$(buildah from --quiet "$tag")"
mnt="$(buildah mount "$ctr")"
ro="$(mktemp -d)"
umount_all() { umount "$ro/tmp" 2>/dev/null || true; umount "$ro" 2>/dev/null || true; rmdir "$ro" 2>/dev/null || true; cleanup; }
trap umount_all EXIT
mount --bind "$mnt" "$ro"
mount -o remount,bind,ro "$ro"
mount -t tmpfs -o size=64m,mode=1777 tmpfs "$ro/tmp"
user="$(buildah inspect --format '{{.Docker.Config.User}}' "$tag")"
requests='{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"smoke","version":"1"}}}
{"jsonrpc":"2.0","method":"notifications/initialized"}
{"jsonrpc":"2.0","id":2,"method":"tools/list","params":{}}'
out="$(printf '%s\n' "$requests" | (cat; sleep 5) | timeout 60 chroot --userspec="$user" "$ro" /usr/bin/env -i HOME=/tmp PATH=/usr/local/bin:/usr/bin:/bin NODE_ENV=production \
  /usr/local/bin/node /app/dist/cli/main.js serve --transport stdio --backend local --clients trainer 2>"$work/smoke.stderr" || true)"
count="$(printf '%s\n' "$out" | node -e '
  let n = -1;
  for (const line of require("fs").readFileSync(0, "utf8").split("\n")) {
    try { const m = JSON.parse(line); if (m.id === 2 && m.result) n = m.result.tools.length; } catch {}
  }
  console.log(n);')"
if [ "$count" -le 0 ]; then
  say "smoke FAILED: no tools/list answer. Server stderr:"
  tail -20 "$work/smoke.stderr" >&2
  exit 1
fi
say "smoke ok: the image's server (user $user, read-only root) listed $count tools"
