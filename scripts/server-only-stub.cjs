// What `server-only` resolves to in the compiled operator commands (scripts/build-ops.mjs).
