# Vigie: one image for the three entry points.
#   default (API + worker in one process): node dist/apps/standalone/src/main.js
#   API only:                              node dist/apps/api/src/main.js
#   worker only:                           node dist/apps/worker/src/main.js
# Every process applies pending migrations at start-up. Configuration: environment variables only
# (see README.md, "Configuration").

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts are needed to build or run (native parts ship as prebuilt packages).
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts ./scripts
COPY apps ./apps
COPY libs ./libs
COPY migrations ./migrations
# The web console (dist-console/, served at /) is built after the API, whose document types its client.
RUN node scripts/build.mjs && node scripts/build-console.mjs && npm prune --omit=dev --ignore-scripts --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    NODE_OPTIONS=--enable-source-maps \
    PORT=3000
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/dist-console ./dist-console
# Files stay owned by root: the service cannot rewrite its own code.
USER node
EXPOSE 3000
# No HEALTHCHECK here: the worker has no HTTP server. docker-compose.yml checks the API's
# /health/ready.
CMD ["node", "dist/apps/standalone/src/main.js"]
