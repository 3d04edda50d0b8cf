#!/usr/bin/env node
// The image's entrypoint: `kyc.mjs [serve]` starts the web server; `kyc.mjs worker`,
// `kyc.mjs migrate`, `kyc.mjs staff:create --email …`, `kyc.mjs lists:import`, `lists:remove`,
// `kyc.mjs audit:verify` run the compiled command from ops/ (scripts/build-ops.mjs).
import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const commands = [
  "worker",
  "migrate",
  "staff:create",
  "lists:import",
  "lists:remove",
  "audit:verify",
  "documents:seal",
];
const [command = "serve"] = process.argv.slice(2);

/**
 * Next's own lines (its start banner, its warnings) as one JSON object per line like ours
 * (lib/log.ts writes with pino, not console), so a log shipper reads a single format.
 */
function consoleAsJson() {
  const levels = { log: "info", info: "info", warn: "warn", error: "error" };
  for (const [method, level] of Object.entries(levels)) {
    console[method] = (...args) => {
      const message = args
        .map((a) => (typeof a === "string" ? a : a instanceof Error ? a.stack : JSON.stringify(a)))
        .join(" ")
        .replace(/\x1b\[[0-9;]*m/g, "")
        .trim();
      if (!message) return;
      const line = { level, time: new Date().toISOString(), event: "next.log", message };
      process.stdout.write(`${JSON.stringify(line)}\n`);
    };
  }
}

if (command === "serve") {
  process.argv.splice(2, 1);
  // Node closes an idle connection after 5 s; a load balancer (or any keep-alive client) that
  // reuses it at that moment gets a reset. Outlasting the usual 60 s balancer idle timeout
  // leaves the closing to the balancer. Next's server reads this variable.
  process.env.KEEP_ALIVE_TIMEOUT ??= "65000";
  consoleAsJson();
  await import(path.join(here, "server.js"));
} else if (commands.includes(command)) {
  const file = path.join(here, "ops", `${command.replace(":", "-")}.mjs`);
  if (!existsSync(file)) {
    console.error(`${command}: ${file} is missing (was the image built with npm run build?)`);
    process.exit(1);
  }
  // The command parses its own flags from process.argv.slice(2), as under npm run.
  process.argv.splice(2, 1);
  await import(file);
} else {
  console.error(`unknown command "${command}"; one of: serve, ${commands.join(", ")}`);
  process.exit(2);
}
