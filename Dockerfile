# scrum-apply: the GitHub App / Gitea webhook server (default) and the CLI.
# Node, git, bubblewrap (the check's sandbox) and a pinned Rust toolchain for `cargo check`,
# running as `node` with the data volume (clones, audit logs, cargo's registry cache) at /data.
#
# Build arguments:
#   NODE_MAJOR    the Node line of the base image node:<NODE_MAJOR>-bookworm-slim
#   RUST_VERSION  the Rust toolchain, e.g. 1.96.0; the build fails when the toolchain it gets
#                 is not this version
#   RUST_SOURCE   where the toolchain comes from:
#                   rustup   (default) rustup's minimal profile, downloaded from static.rust-lang.org
#                   debian   Debian 12's rustc-web/cargo-web packages (kept current by Debian's
#                            security updates); set RUST_VERSION to the version the mirror has
#                   context  a toolchain in the build context at toolchain/rust (bin/, lib/: e.g.
#                            a copy of ~/.rustup/toolchains/<name>), for builds without network
#
# Run it (see the README's "Container" section for why each option is there):
#   docker run -d -p 3000:3000 -v scrum-apply-data:/data \
#     --security-opt seccomp=deploy/seccomp-bwrap.json --security-opt systempaths=unconfined \
#     -e SCRUM_APPLY_LLM_URL=… -e APP_ID=… -e PRIVATE_KEY=… -e WEBHOOK_SECRET=… scrum-apply
ARG NODE_MAJOR=22
ARG RUST_SOURCE=rustup
ARG RUST_VERSION=1.96.0

FROM node:${NODE_MAJOR}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts ./scripts
RUN npm run build && npm prune --omit=dev

FROM node:${NODE_MAJOR}-bookworm-slim AS system
RUN apt-get update \
 && apt-get install -y --no-install-recommends git bubblewrap ca-certificates build-essential \
 && rm -rf /var/lib/apt/lists/*

FROM system AS rust-rustup
ARG RUST_VERSION
ENV RUSTUP_HOME=/usr/local/rustup
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs \
    | CARGO_HOME=/usr/local/cargo sh -s -- -y --profile minimal --default-toolchain "$RUST_VERSION" --no-modify-path \
 && chmod -R a+rX /usr/local/rustup /usr/local/cargo \
 && apt-get purge -y curl && apt-get autoremove -y && rm -rf /var/lib/apt/lists/*

FROM system AS rust-debian
RUN apt-get update \
 && apt-get install -y --no-install-recommends rustc-web cargo-web \
 && rm -rf /var/lib/apt/lists/*

FROM system AS rust-context
COPY toolchain/rust /usr/local/rust
RUN chmod -R a+rX /usr/local/rust

FROM rust-${RUST_SOURCE}
ARG RUST_VERSION
# CARGO_HOME is in the data volume: `cargo fetch` writes the registry cache there as `node`.
# The toolchain itself stays read-only under /usr (rustup's proxies in /usr/local/cargo/bin).
ENV PATH=/usr/local/cargo/bin:/usr/local/rust/bin:$PATH \
    CARGO_HOME=/data/cargo \
    NODE_ENV=production SCRUM_APPLY_DATA_DIR=/data HOST=0.0.0.0 PORT=3000
# (probot listens on localhost unless HOST says otherwise: unreachable through a published port.)
RUN found="$(rustc --version) / $(cargo --version)" \
 && case "$found" in "rustc $RUST_VERSION "*) echo "toolchain: $found" ;; \
      *) echo "RUST_VERSION is $RUST_VERSION but the toolchain is: $found" >&2; exit 1 ;; esac
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json app.yml ./
COPY examples ./examples
RUN mkdir -p /data/cargo && chown -R node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
# `npm start`: the GitHub App under `probot run` (needs APP_ID, PRIVATE_KEY, WEBHOOK_SECRET; also
# serves the Gitea webhook when GITEA_* are set). For a Gitea-only deployment run
# `node dist/server/main.js` instead, which needs no GitHub App credentials. The CLI:
# `node dist/cli/scrum-apply.mjs run …`.
CMD ["node_modules/.bin/probot", "run", "./dist/index.js"]
