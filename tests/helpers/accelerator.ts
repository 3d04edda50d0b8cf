import { loadImageAccelerator, type ImageAccelerator } from "@/lib/documents/image-accelerator";

/**
 * The one-decode addon as this test run has it. CI builds it and sets IMAGE_ACCELERATOR=required,
 * so a broken build fails the run; locally, without a C compiler, the tests that need it are
 * skipped (the sharp path is tested either way).
 */
export function testAccelerator(): ImageAccelerator | null {
  return loadImageAccelerator(process.env.IMAGE_ACCELERATOR === "required" ? "required" : "auto");
}

/** `describe` when the addon is here, `describe.skip` (with the reason in the name) when not. */
export function describeWithAccelerator(name: string, body: (a: ImageAccelerator) => void): void {
  const accelerator = testAccelerator();
  if (accelerator) describe(name, () => body(accelerator));
  else
    describe.skip(`${name} (native/build/kyc_image.node not built: npm run build:native)`, () => {});
}
