# kubeflow-mcp container image.
#
# NODE_BASE is any image with Node.js >= 20.19 and npm at /usr/local/bin (the official
# node:*-slim images, or the Debian base scripts/build-image.sh makes with debootstrap where no
# registry can be reached). Build: `docker build -t kubeflow-mcp .` or `scripts/build-image.sh`.
ARG NODE_BASE=docker.io/library/node:20-bookworm-slim

FROM ${NODE_BASE} AS build
WORKDIR /app
COPY package.json package-lock.json server.json ./
# No install scripts: nothing in the dependency tree needs one, and none should run at build time.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY src ./src
COPY ui ./ui
COPY scripts/build.mjs scripts/build-ui.mjs ./scripts/
RUN npm run build && npm prune --omit=dev --ignore-scripts --no-audit --no-fund \
 && rm -rf node_modules/.cache /root/.npm

FROM ${NODE_BASE}
ENV NODE_ENV=production \
    HOME=/tmp \
    NODE_OPTIONS=--enable-source-maps
WORKDIR /app
COPY --from=build /app/package.json /app/server.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# No npm in the running image: it is a build tool, and one less thing to patch.
RUN rm -rf /usr/local/lib/node_modules/npm /usr/local/bin/npm /usr/local/bin/npx /usr/local/lib/node_modules/corepack /usr/local/bin/corepack
# A numeric non-root user, so Kubernetes can verify runAsNonRoot without a passwd entry. The
# server writes nothing to its root filesystem (HOME=/tmp is an emptyDir in deploy/), so it runs
# with readOnlyRootFilesystem.
USER 65532:65532
EXPOSE 8080
# Node is PID 1 and handles SIGTERM and SIGINT itself (src/server/drain.ts): new requests get 503,
# in-flight tool calls finish within --shutdown-grace, then it exits 0. No tini: Node installs its
# own handlers, and the only processes the server starts (a Python syntax check, when python3 is
# present) are its own children, which Node reaps; nothing leaves orphans for PID 1.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "/app/dist/cli/main.js"]
CMD ["serve", "--transport", "http", "--host", "0.0.0.0", "--port", "8080", "--backend", "kubernetes"]
