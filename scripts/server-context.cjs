// Operator commands, the worker and benchmarks are server processes: modules marked
// `import "server-only"` (which throws anywhere a React Server Components bundler did not map it)
// are allowed here, as next/jest allows them in tests.
const id = require.resolve("server-only");
require.cache[id] = { id, filename: id, loaded: true, exports: {} };
