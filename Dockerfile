# Production image: the standalone Next.js server plus the migrations it applies at start.
# Build: docker build -t inapp-kyc .   Run: docker run -p 3000:3000 --env-file .env inapp-kyc
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

FROM node:20-bookworm-slim AS build
WORKDIR /app
ENV NEXT_TELEMETRY_DISABLED=1
COPY --from=deps /app/node_modules ./node_modules
COPY . .
RUN npm run build

FROM node:20-bookworm-slim AS run
WORKDIR /app
# UV_THREADPOOL_SIZE: sharp holds a libuv thread per document check; 8 leaves libuv's default 4
# for file, DNS and crypto work beside the most checks lib/documents/work-limit.ts runs at once.
ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 PORT=3000 HOSTNAME=0.0.0.0 DATA_DIR=/data \
    UV_THREADPOOL_SIZE=8
RUN useradd --system --uid 1001 app && mkdir -p /data && chown app /data
COPY --from=build --chown=app /app/.next/standalone ./
COPY --from=build --chown=app /app/.next/static ./.next/static
COPY --from=build --chown=app /app/drizzle ./drizzle
COPY --from=build --chown=app /app/messages ./messages
# The image ships LGPL libraries (libvips via sharp, libheif via libheif-js): NOTICE says where
# their sources are.
COPY --from=build --chown=app /app/LICENSE /app/NOTICE ./
USER app
EXPOSE 3000
CMD ["node", "server.js"]
