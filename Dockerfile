# syntax=docker/dockerfile:1

# Build: the full dependency set (TypeScript and friends) to compile, then only what runs.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY migrations ./migrations
# The web app is built by the same `npm run build` and served by the API from web/dist.
COPY web ./web
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# Run: compiled code and production dependencies, as the unprivileged `node` user.
FROM node:24-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/web/dist ./web/dist
USER node
EXPOSE 3000
# The API by default; the same image runs the worker (node dist/src/worker.js) and migrations (node dist/src/cli/migrate.js).
CMD ["node", "dist/src/main.js"]
