// After `next build`: complete .next/standalone so `node .next/standalone/server.js` (npm start,
// the Dockerfile) serves everything: static assets and the migrations applied at start.
import { cpSync, existsSync } from "node:fs";

const out = ".next/standalone";
if (!existsSync(out)) process.exit(0);
cpSync(".next/static", `${out}/.next/static`, { recursive: true });
cpSync("drizzle", `${out}/drizzle`, { recursive: true });
if (existsSync("public")) cpSync("public", `${out}/public`, { recursive: true });
