#!/usr/bin/env node
/**
 * `npm run build:native [-- --required]`: compile native/kyc-image (the document check's
 * one-decode path, lib/documents/image-accelerator.ts) against the libvips that sharp ships.
 *
 * Needs a C compiler (`cc`) and the dev dependencies `@img/sharp-libvips-dev` (libvips and glib
 * headers, pinned to the libvips of the installed sharp) and `node-api-headers`. Nothing is
 * downloaded: the headers are npm packages, the library is sharp's own. When something is missing
 * the build is skipped with a message and the app uses its sharp-only path, which is correct but
 * decodes each photo twice; `--required` (CI, the Docker image) turns the skip into a failure.
 *
 * Output: native/build/kyc_image.node and native/build/kyc_image.json (the libvips version it was
 * built for; the loader refuses a build for another version). Runs before `dev`, `build`, `test`
 * and `bench`; it compiles only when the source, this script or sharp's libvips changed (`--force`
 * always does).
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const required = process.argv.includes("--required");
const require = createRequire(path.join(root, "package.json"));
const source = path.join(root, "native/kyc-image/kyc_image.c");
const outDir = path.join(root, "native/build");

function skip(reason) {
  const message = `native-build: ${reason}`;
  if (required) {
    console.error(`${message} (--required: failing)`);
    process.exit(1);
  }
  console.warn(`${message}; the document check uses its sharp-only path.`);
  process.exit(0);
}

/** A package's directory, whatever its `exports` allow (these packages export no package.json). */
function packageDir(name) {
  for (const base of require.resolve.paths(name) ?? []) {
    const dir = path.join(base, name);
    if (existsSync(path.join(dir, "package.json"))) return dir;
  }
  return null;
}

if (process.platform !== "linux") skip(`no build recipe for ${process.platform} yet`);
const musl = !process.report?.getReport().header?.glibcVersionRuntime;
const platformPackage = `@img/sharp-libvips-linux${musl ? "musl" : ""}-${process.arch}`;
const libvipsDir = packageDir(platformPackage);
const devDir = packageDir("@img/sharp-libvips-dev");
const napiDir = packageDir("node-api-headers");
if (!libvipsDir) skip(`${platformPackage} is not installed (sharp's libvips)`);
if (!devDir || !napiDir) skip("dev dependencies @img/sharp-libvips-dev / node-api-headers missing");

const libDir = path.join(libvipsDir, "lib");
const library = readdirSync(libDir).find((name) => /^libvips-cpp\.so\.\d+\.\d+\.\d+$/.test(name));
if (!library) skip(`no libvips-cpp.so in ${libDir}`);
const libvipsVersion = library.replace("libvips-cpp.so.", "");
const devVersions = JSON.parse(readFileSync(path.join(devDir, "versions.json"), "utf8"));
if (devVersions.vips !== libvipsVersion) {
  skip(`headers are for libvips ${devVersions.vips}, sharp ships ${libvipsVersion}`);
}

const output = path.join(outDir, "kyc_image.node");
const stampFile = path.join(outDir, "kyc_image.json");
const include = path.join(devDir, "include");
const args = [
  "-std=c11",
  "-O2",
  "-fPIC",
  "-shared",
  "-fvisibility=hidden",
  "-Wall",
  "-Wextra",
  "-Werror",
  "-Wno-unused-parameter",
  "-D_FORTIFY_SOURCE=2",
  "-fstack-protector-strong",
  "-DNAPI_VERSION=8",
  "-DNODE_GYP_MODULE_NAME=kyc_image",
  `-I${path.join(napiDir, "include")}`,
  `-I${include}`,
  `-I${path.join(include, "glib-2.0")}`,
  `-I${path.join(libDir, "glib-2.0", "include")}`,
  source,
  "-o",
  output,
  `-L${libDir}`,
  `-l:${library}`,
  // sharp loads this library first and the loader reuses it by soname; the rpath is for loading
  // the addon on its own (tests, `node -e`), from the repository or a standalone copy.
  `-Wl,-rpath,${libDir}`,
  "-Wl,-rpath,$ORIGIN/../../node_modules/" + platformPackage + "/lib",
  "-Wl,-z,relro,-z,now,-z,noexecstack",
];

if (!process.argv.includes("--force") && existsSync(output) && existsSync(stampFile)) {
  const stamp = JSON.parse(readFileSync(stampFile, "utf8"));
  const builtAt = statSync(output).mtimeMs;
  const fresh = [source, fileURLToPath(import.meta.url)].every(
    (f) => statSync(f).mtimeMs < builtAt,
  );
  if (fresh && stamp.libvips === libvipsVersion && stamp.platform === platformPackage) {
    console.log(
      `native-build: native/build/kyc_image.node is up to date (libvips ${libvipsVersion})`,
    );
    process.exit(0);
  }
}

const compiler = process.env.CC || "cc";
try {
  execFileSync(compiler, ["--version"], { stdio: "ignore" });
} catch {
  skip(`no C compiler (${compiler}); on Debian: apt-get install gcc`);
}
mkdirSync(outDir, { recursive: true });
try {
  execFileSync(compiler, args, { stdio: "inherit" });
} catch {
  skip(`${compiler} failed on ${path.relative(root, source)}`);
}
writeFileSync(
  stampFile,
  `${JSON.stringify({ libvips: libvipsVersion, platform: platformPackage, node_api: 8 }, null, 2)}\n`,
);
if (!existsSync(output)) skip("the compiler wrote nothing");
console.log(`native-build: native/build/kyc_image.node (libvips ${libvipsVersion})`);
