# One image for the web server, the worker and every operator command (compiled at build time by
# scripts/build-ops.mjs; no tsx or TypeScript sources at run time):
#   docker build -t inapp-kyc .
#   docker run --env-file .env inapp-kyc migrate
#   docker run --env-file .env inapp-kyc staff:create --email ada@broker.example --role admin
#   docker run --env-file .env -p 3000:3000 inapp-kyc            (the web server)
#   docker run --env-file .env inapp-kyc worker
# .ci/run assembles what the run stage copies into a directory and runs it the same way
# (tests/image/): keep the run stage's COPY, ENV and ENTRYPOINT lines in that form.
FROM node:22-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM node:22-bookworm-slim AS build
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
COPY --from=deps /app/node_modules ./node_modules
COPY . .
RUN npm run build

FROM node:22-bookworm-slim AS run
# tini reaps zombies and forwards SIGTERM, so the worker and the server stop cleanly.
RUN apt-get update && apt-get install -y --no-install-recommends tini \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
LABEL org.opencontainers.image.title="inapp-kyc" \
      org.opencontainers.image.description="In-App KYC for cTrader brokers: screens, checks, console, delivery" \
      org.opencontainers.image.licenses="Apache-2.0"
# UV_THREADPOOL_SIZE: sharp holds a libuv thread per document check; 8 leaves libuv's default 4
# for file, DNS and crypto work beside the most checks lib/documents/work-limit.ts runs at once.
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 PORT=3000 HOSTNAME=0.0.0.0 DATA_DIR=/data UV_THREADPOOL_SIZE=8
RUN useradd --system --uid 1001 app && mkdir -p /data && chown app /data
COPY --from=build --chown=app /app/.next/standalone ./
COPY --from=build --chown=app /app/messages ./messages
# The image ships LGPL libraries (libvips via sharp, libheif via libheif-js): NOTICE says where
# their sources are.
COPY --from=build --chown=app /app/LICENSE ./LICENSE
COPY --from=build --chown=app /app/NOTICE ./NOTICE
# The embedded database and local document storage (no DATABASE_URL / S3) live here.
VOLUME /data
USER app
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/api/health/live').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
ENTRYPOINT ["/usr/bin/tini", "--", "node", "kyc.mjs"]
CMD ["serve"]
