// Packages the operator bundle (scripts/build-ops.mjs) leaves to node_modules: sharp, and every
// package next.config.ts keeps out of the server bundle (WASM, worker scripts or data files they
// load from their own directory). Bundled, they look for those files beside the bundle and fail at
// run time (tesseract.js did: every MRZ read in the image's worker). tests/next-config.test.ts
// keeps this list a superset of next.config's.
module.exports = [
  "sharp",
  "@electric-sql/pglite",
  "libheif-js",
  "@cantoo/pdf-lib",
  "tesseract.js",
  "tesseract.js-core",
];
