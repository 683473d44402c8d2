# One image for every app; the app is chosen by the command:
#   docker build -t stableyield .
#   docker run --read-only --tmpfs /tmp stableyield apps/api/dist/main.js
#
# deps:    all dependencies (dev included) for the build
# build:   esbuild bundles each app into apps/<app>/dist/main.js (our libs inlined)
# prod:    production dependencies only
# runtime: node, the production node_modules and the bundles; runs as UID 1001

# Node.js 26 'Lithium', the Active LTS (Node 20 reached end of life on 2026-04-30), pinned to an
# exact release so a rebuild gets the same runtime; raise it deliberately. CI runs the tests on the
# machine's Node 20 (package.json engines), which the bundles still support.
ARG NODE_IMAGE=node:26.13.0-bookworm-slim

FROM ${NODE_IMAGE} AS deps
WORKDIR /src
COPY . .
RUN npm ci --ignore-scripts --no-audit --no-fund

FROM deps AS build
# Collect what the apps load at run time: the bundles (with source maps) and static files
# an app serves from apps/<app>/public (the api's ticker page).
RUN npm run build \
 && for d in apps/*/dist apps/*/public; do [ -d "$d" ] && mkdir -p "/out/$d" && cp -r "$d/." "/out/$d/"; done; \
    test -d /out/apps

FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /src
COPY --from=deps /src/package.json /src/package-lock.json ./
# npm needs the workspace manifests to install the workspaces' dependencies.
COPY --from=deps /src/libs libs
COPY --from=deps /src/apps apps
COPY --from=deps /src/tests tests
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    NODE_OPTIONS=--enable-source-maps
WORKDIR /app
# A fixed non-root user: Kubernetes runAsUser 1001 and compose user 1001 match it.
RUN groupadd --system --gid 1001 stableyield \
 && useradd --system --uid 1001 --gid 1001 --no-create-home --shell /usr/sbin/nologin stableyield
COPY --from=prod-deps --chown=root:root /src/node_modules ./node_modules
COPY --from=prod-deps --chown=root:root /src/package.json ./package.json
COPY --from=build --chown=root:root /out/apps ./apps
USER 1001:1001
# The app files are owned by root and read-only to the app; it writes only to /tmp.
ENTRYPOINT ["node"]
CMD ["apps/api/dist/main.js"]
