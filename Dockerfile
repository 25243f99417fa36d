# Vigil api and worker image. Multi-stage: build with dev dependencies, run with production ones as non-root.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json nest-cli.json ./
COPY src ./src
COPY workflows ./workflows
COPY integrations ./integrations
COPY playbooks ./playbooks
COPY test ./test
RUN npx tsc -p tsconfig.json && npm prune --omit=dev

FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /app/package.json ./
COPY --from=build --chown=node:node /app/node_modules ./node_modules
COPY --from=build --chown=node:node /app/dist ./dist
COPY --from=build --chown=node:node /app/playbooks ./playbooks
USER node
EXPOSE 3000
# `api` or `worker` (see docker-compose.yml).
ENTRYPOINT ["node", "--enable-source-maps", "dist/src/main.js"]
CMD ["api"]
