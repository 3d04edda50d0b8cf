// libheif-js ships typings for its asm.js and split-wasm builds, not for the inlined-wasm bundle
// (same API); heif-decode.ts types the few functions it uses.
declare module "libheif-js/libheif-wasm/libheif-bundle.js" {
  const factory: unknown;
  export default factory;
}
