# scrum-apply: the GitHub App / Gitea webhook server (default) and the CLI.
# Node 22 LTS + git + bubblewrap (the check's sandbox) + a minimal Rust toolchain for `cargo check`.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY scripts ./scripts
RUN npm run build && npm prune --omit=dev

FROM node:22-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends git bubblewrap ca-certificates curl build-essential \
 && rm -rf /var/lib/apt/lists/*
# Rust for the check; rustup's minimal profile keeps the image small.
ENV RUSTUP_HOME=/usr/local/rustup CARGO_HOME=/usr/local/cargo PATH=/usr/local/cargo/bin:$PATH
RUN curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs \
    | sh -s -- -y --profile minimal --default-toolchain stable --no-modify-path \
 && chmod -R a+rX "$RUSTUP_HOME" "$CARGO_HOME"
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json app.yml ./
COPY examples ./examples
ENV NODE_ENV=production SCRUM_APPLY_DATA_DIR=/data PORT=3000
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1)).catch(()=>process.exit(1))"
# `npm start`: the GitHub App under `probot run` (needs APP_ID, PRIVATE_KEY, WEBHOOK_SECRET; also
# serves the Gitea webhook when GITEA_* are set). For a Gitea-only deployment run
# `node dist/server/main.js` instead, which needs no GitHub App credentials.
CMD ["node_modules/.bin/probot", "run", "./dist/index.js"]
