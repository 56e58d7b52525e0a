# syntax=docker/dockerfile:1
# Tokenspace as a container: docker build -t tokenspace . && docker run -p 8080:8080 -v tokenspace-data:/data tokenspace
# README ("Install", "Container") says how this image is verified on machines without a container
# engine: the test package-install.test.ts runs the same install script and the same start and
# health-check commands as this file.

FROM node:20-bookworm-slim AS build
# better-sqlite3 is compiled here when no prebuilt binary can be downloaded.
RUN apt-get update \
  && apt-get install -y --no-install-recommends python3 make g++ \
  && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json ./
COPY packages/contract/package.json packages/contract/
COPY packages/sdk/package.json packages/sdk/
COPY packages/server/package.json packages/server/
COPY packages/console/package.json packages/console/
RUN npm ci --ignore-scripts
COPY . .
# Packing runs each package's prepack: the build, with its dev dependencies, stays in this stage.
RUN npm pack --workspaces --pack-destination /packages
RUN deploy/install-packages.sh /packages /app

FROM node:20-bookworm-slim
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8080 DATABASE_URL=sqlite:/data/tokenspace.db
COPY --from=build /app /app
# The data volume holds the database, its server key file and the local CA: nothing secret is
# in the image, and nothing is written outside /data.
RUN mkdir /data && chown node:node /data
USER node
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch(`http://127.0.0.1:${process.env.PORT}/healthz`).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Node runs as PID 1; tokenspace serve handles SIGTERM itself: it stops accepting, finishes the
# requests in flight, closes the store and exits 0.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "/app/node_modules/@tokenspace/server/bin/tokenspace.js"]
CMD ["serve"]
