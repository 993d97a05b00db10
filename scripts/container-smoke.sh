#!/usr/bin/env bash
# Proves the container works: builds the image with the OCI builder at hand (podman, else
# docker), starts the server in it (the image's default command) and asks GET /healthz, then
# runs the demo's pipeline through the container's CLI with the check required to run in the
# bubblewrap sandbox (check.sandbox: bwrap): two green files' branches pushed, one check red.
# Both containers run with deploy/seccomp-bwrap.json and systempaths=unconfined, as the README
# tells Docker users to, so a podman run behaves like Docker.
#
# Environment: CONTAINER_BUILDER (podman|docker); NODE_MAJOR, RUST_SOURCE, RUST_VERSION (passed
# on as build arguments when set; see the Dockerfile); SMOKE_IMAGE (default scrum-apply:smoke).
# Needs node and npm on this machine (the demo repository and the LLM stand-in run here).
set -euo pipefail
cd "$(dirname "$0")/.."

builder=${CONTAINER_BUILDER:-}
if [ -z "$builder" ]; then
  if command -v podman >/dev/null 2>&1; then builder=podman
  elif command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then builder=docker
  else
    echo "container-smoke: no OCI builder: install podman (or docker with a running daemon)" >&2
    exit 1
  fi
fi
image=${SMOKE_IMAGE:-scrum-apply:smoke}
name="scrum-apply-smoke-$$"
security=(--security-opt seccomp=deploy/seccomp-bwrap.json --security-opt systempaths=unconfined)
# The image's HEALTHCHECK needs a scheduler (systemd, for podman) that CI machines lack; this
# script asks /healthz itself.
run_opts=(--no-healthcheck "${security[@]}")
started=$SECONDS
say() { echo "container-smoke: $* ($((SECONDS - started)) s)"; }

build_args=()
[ -n "${NODE_MAJOR:-}" ] && build_args+=(--build-arg "NODE_MAJOR=$NODE_MAJOR")
[ -n "${RUST_SOURCE:-}" ] && build_args+=(--build-arg "RUST_SOURCE=$RUST_SOURCE")
[ -n "${RUST_VERSION:-}" ] && build_args+=(--build-arg "RUST_VERSION=$RUST_VERSION")
format=()
[ "$builder" = podman ] && format=(--format docker) # keeps HEALTHCHECK, which OCI images drop
say "building $image with $builder ${build_args[*]}"
"$builder" build "${format[@]}" "${build_args[@]}" -t "$image" . >/tmp/"$name"-build.log 2>&1 \
  || { tail -40 /tmp/"$name"-build.log >&2; echo "container-smoke: the build failed" >&2; exit 1; }
rm -f /tmp/"$name"-build.log
say "built $image"

workdir=$(mktemp -d)
cleanup() {
  "$builder" rm -f "$name" >/dev/null 2>&1 || true
  rm -rf "$workdir"
}
trap cleanup EXIT

# 1. The server, as deployed: the default command (the GitHub App under probot) as `node`.
openssl genrsa -out "$workdir/app.pem" 2048 2>/dev/null
chmod 644 "$workdir/app.pem"
"$builder" run -d --name "$name" "${run_opts[@]}" -p 127.0.0.1::3000 \
  -v "$workdir/app.pem:/run/app.pem:ro" \
  -e APP_ID=1 -e PRIVATE_KEY_PATH=/run/app.pem -e WEBHOOK_SECRET=smoke \
  -e SCRUM_APPLY_LLM_URL=http://127.0.0.1:9/v1 "$image" >/dev/null
port=$("$builder" port "$name" 3000 | head -1 | sed 's/.*://')
if ! health=$(curl -fs --retry 60 --retry-delay 1 --retry-connrefused --retry-all-errors "http://127.0.0.1:$port/healthz"); then
  "$builder" logs "$name" 2>&1 | tail -20 >&2
  echo "container-smoke: GET /healthz did not answer 200" >&2
  exit 1
fi
user=$("$builder" exec "$name" id -un)
[ "$user" = node ] || { echo "container-smoke: the server runs as $user, not node" >&2; exit 1; }
# cargo's registry cache goes to CARGO_HOME in the data volume: `node` must be able to write it.
"$builder" exec "$name" sh -c 'mkdir -p "$CARGO_HOME/registry" && test -w "$CARGO_HOME/registry" && case "$CARGO_HOME" in /data/*) ;; *) exit 1 ;; esac' \
  || { echo "container-smoke: CARGO_HOME is not a writable directory in /data" >&2; exit 1; }
say "the server answers GET /healthz as $user: $health"
"$builder" rm -f "$name" >/dev/null

# 2. The demo's pipeline through the container's CLI, the check in bwrap (required by the
#    demo repository's config). The repository and the LLM stand-in are on this machine.
npm run --silent build:tools >/dev/null
uid_gid=$("$builder" run --rm --entrypoint id "$image" -u):$("$builder" run --rm --entrypoint id "$image" -g)
coproc FIXTURE { exec node .build/tools/demo/container-smoke-fixture.js "$uid_gid"; }
fixture_pid=$FIXTURE_PID
fixture_in=${FIXTURE[1]}
read -r fixture <&"${FIXTURE[0]}" || true
[ -n "$fixture" ] || { echo "container-smoke: the demo repository could not be set up" >&2; exit 1; }
root=$(node -p 'JSON.parse(process.argv[1]).root' "$fixture")
dir=$(node -p 'JSON.parse(process.argv[1]).dir' "$fixture")
llm=$(node -p 'JSON.parse(process.argv[1]).llmUrl' "$fixture")
set +e
"$builder" run --rm --name "$name" "${run_opts[@]}" --network host \
  -v "$root:$root" -w "$dir" -e SCRUM_APPLY_LLM_URL="$llm" \
  "$image" node /app/dist/cli/scrum-apply.mjs run --apply --forge none
code=$?
set -e
exec {fixture_in}>&- # the fixture now checks what the run left
wait "$fixture_pid" && verified=0 || verified=$?
[ "$code" -eq 0 ] || { echo "container-smoke: the container's CLI exited $code" >&2; exit 1; }
[ "$verified" -eq 0 ] || { echo "container-smoke: the run in the container did not do what the demo does" >&2; exit 1; }
say "passed"
