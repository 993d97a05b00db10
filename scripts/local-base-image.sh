#!/usr/bin/env bash
# A local stand-in for the Dockerfile's base image (node:<major>-bookworm-slim) where no image
# registry is reachable (this project's CI): Debian 12 from the Debian mirror apt already uses
# (debootstrap), plus this machine's Node and npm, the `node` user (uid/gid 1000, as in the
# official image) and this machine's CA bundle for npm (NODE_EXTRA_CA_CERTS). It is tagged
# under the Dockerfile's FROM name, so the Dockerfile itself stays the standard one.
# Usage: [NODE_MAJOR=20] scripts/local-base-image.sh [podman|docker]   (root; needs debootstrap)
# NODE_MAJOR defaults to the Dockerfile's; it must be this machine's Node line (pass the same
# value to the build: --build-arg NODE_MAJOR=…).
set -euo pipefail
cd "$(dirname "$0")/.."
builder=${1:-podman}

major=${NODE_MAJOR:-$(sed -n 's/^ARG NODE_MAJOR=\([0-9]*\).*/\1/p' Dockerfile | head -1)}
image="node:${major:?no ARG NODE_MAJOR in the Dockerfile}-bookworm-slim"
if "$builder" image inspect "$image" >/dev/null 2>&1; then
  echo "local-base-image: $image is already there"
  exit 0
fi
node_bin=$(command -v node)
have=$("$node_bin" -p 'process.versions.node.split(".")[0]')
[ "$have" = "$major" ] || { echo "local-base-image: the Dockerfile wants Node $major, this machine has Node $have" >&2; exit 1; }
npm_dir=$(cd "$(dirname "$(readlink -f "$(command -v npm)")")/.." && pwd)
# The mirrors apt is configured with (deb822 `URIs:` or one-line `deb` sources; comments skipped).
mirrors=$( {
  grep -hE '^[[:space:]]*URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}'
  grep -hE '^[[:space:]]*deb[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null \
    | awk '{for (i = 2; i <= NF; i++) if ($i ~ /^https?:/) { print $i; break }}'
} || true)
mirror=$(grep -v -- '-security' <<<"$mirrors" | head -1 || true)
mirror=${mirror:-http://deb.debian.org/debian}
security=$(grep -- '-security' <<<"$mirrors" | head -1 || true)
security=${security:-http://deb.debian.org/debian-security}

root=$(mktemp -d /var/tmp/scrum-apply-base.XXXXXX)
trap 'rm -rf "$root"' EXIT
echo "local-base-image: debootstrap bookworm from $mirror"
debootstrap --variant=minbase bookworm "$root" "$mirror" >/dev/null
# The official image's apt sources: updates and security too (Debian's current Rust, rustc-web,
# comes from bookworm-security).
rm -f "$root/etc/apt/sources.list"
cat >"$root/etc/apt/sources.list.d/debian.sources" <<SOURCES
Types: deb
URIs: $mirror
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
install -D -m 0755 "$node_bin" "$root/usr/local/bin/node"
mkdir -p "$root/usr/local/lib/node_modules"
cp -a "$npm_dir" "$root/usr/local/lib/node_modules/npm"
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
install -D -m 0644 /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/host-ca.crt"
chroot "$root" groupadd --gid 1000 node
chroot "$root" useradd --uid 1000 --gid node --shell /bin/bash --create-home node
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin
quiet=(); [ "$builder" = podman ] && quiet=(--quiet)
tar -C "$root" -c . | "$builder" import "${quiet[@]}" \
  --change 'ENV NODE_EXTRA_CA_CERTS=/etc/ssl/host-ca.crt' \
  --change 'CMD ["node"]' - "$image" >/dev/null
echo "local-base-image: $image from debootstrap and Node $("$node_bin" --version)"
