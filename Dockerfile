# syntax=docker/dockerfile:1
#
# One image for every denyscope service: the arguments are a `denyscope` command.
#
#   docker build -t denyscope .
#   docker run --rm denyscope --help
#   docker run --rm -e KAFKA_BROKERS=… -e CLICKHOUSE_URL=… denyscope migrate
#   docker run -d -e KAFKA_BROKERS=… -e CLICKHOUSE_URL=… -e REDIS_URL=… denyscope ingest
#
# docker-compose.yml runs ingest, detect, notify, api and reporter from it; docs/deploy.md says
# how to size and secure them. Configuration is the environment (README, Configuration).
#
# How the code runs: the workspace ships TypeScript sources that tsx compiles on load (as
# `npx denyscope` does on a developer's machine and in every test), so the image runs exactly the
# code the tests ran. tsx (with esbuild, ~12 MB) is a production dependency of the CLI anyway;
# compiling on load adds about 0.4 s to a service's start. The build stage type-checks instead of
# emitting: an image is only made from sources that type-check.

# Node.js 24 LTS, pinned to major.minor (patch releases come with a rebuild). Keep the minor in
# step with the Node 24 the test suite runs on.
ARG NODE_IMAGE=node:24.22-bookworm-slim

# --- manifests: what `npm ci` reads -------------------------------------------------------------
# package.json files, the lock, the workspaces' bin scripts (npm links them) and patches/ (the
# root postinstall, patch-package, applies them to dependencies such as kafkajs). `npm ci` below
# then reruns only when one of these changes, and a new workspace needs no edit here.
FROM ${NODE_IMAGE} AS manifests
WORKDIR /app
COPY . .
RUN find . -type f ! -name package.json ! -name package-lock.json ! -path './services/*/bin/*' \
      ! -path './patches/*' -delete \
 && find . -type d -empty -delete

# --- build: all dependencies, type check, then production dependencies only ---------------------
# Pruning (not a second `npm ci --omit=dev`) keeps the patched files: the postinstall's
# patch-package is a dev dependency and would not run there.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY --from=manifests /app ./
RUN npm ci --no-audit --no-fund
COPY . .
# Every service is reached from the CLI's entry point, so this checks all code the image runs.
RUN npx tsc -p services/cli/tsconfig.json \
 && npm prune --omit=dev --no-audit --no-fund \
 && npm cache clean --force

# --- runtime ---------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
# tini as PID 1: forwards SIGTERM to node (ingest then flushes, commits and leaves the group
# before exiting) and reaps zombies. Equivalent to `docker run --init`, but always there.
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
# REPORTS_DIR: scheduled reports (denyscope reporter), a volume in docker-compose.yml.
# API_HOST: the API listens on the container's interfaces; only a published port reaches it.
ENV NODE_ENV=production \
    REPORTS_DIR=/var/lib/denyscope/reports \
    API_HOST=0.0.0.0
WORKDIR /app
# Code and dependencies belong to root and are read-only for the service user.
COPY --from=build /app ./
RUN mkdir -p /var/lib/denyscope/reports && chown -R node:node /var/lib/denyscope
EXPOSE 8080
# The unprivileged user of the official Node.js image (uid 1000).
USER node
# The services' health: per kind (Kafka/ClickHouse/Redis reachable, the API's /healthz), picked
# from the command PID 1 runs (infra/docker/healthcheck.mjs). It starts in milliseconds.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
  CMD ["node", "/app/infra/docker/healthcheck.mjs"]
ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/services/cli/bin/denyscope.js"]
CMD ["--help"]
