import { vendorOrigins } from "@/lib/vendors/origins";
import type { Env } from "@/lib/env";

type Vendors = Pick<Env["vendors"], "sumsub" | "onfido">;

// Only presence matters to the CSP; the adapters' settings are never read here.
const sumsub = {} as NonNullable<Env["vendors"]["sumsub"]>;
const onfido = {} as NonNullable<Env["vendors"]["onfido"]>;
const none: Vendors = { sumsub: null, onfido: null };
const both: Vendors = { sumsub, onfido };

const named = (o: { frame: readonly string[]; connect: readonly string[] }) =>
  [...o.frame, ...o.connect].join(" ");

describe("vendorOrigins: what a trader screen's CSP allows for a vendor's web SDK", () => {
  it("allows nothing when no vendor is configured, whatever the screen asks for", () => {
    expect(vendorOrigins(none, null)).toEqual({ frame: [], connect: [] });
    expect(vendorOrigins(none, "sumsub")).toEqual({ frame: [], connect: [] });
    expect(vendorOrigins(none, "onfido")).toEqual({ frame: [], connect: [] });
  });

  it("allows nothing on a screen whose level no vendor verifies, even with vendors configured", () => {
    expect(vendorOrigins(both, null)).toEqual({ frame: [], connect: [] });
  });

  it("allows Sumsub's frames and calls for a Sumsub level, and no other vendor's", () => {
    const origins = vendorOrigins(both, "sumsub");
    expect(origins).toEqual({ frame: ["https://*.sumsub.com"], connect: ["https://*.sumsub.com"] });
    expect(named(origins)).not.toMatch(/onfido/);
  });

  it("allows Onfido's frames and calls for an Onfido level, and no other vendor's", () => {
    const origins = vendorOrigins(both, "onfido");
    expect(origins).toEqual({ frame: ["https://*.onfido.com"], connect: ["https://*.onfido.com"] });
    expect(named(origins)).not.toMatch(/sumsub/);
  });

  it("allows nothing for a vendor that is named but not configured", () => {
    expect(vendorOrigins({ sumsub, onfido: null }, "onfido")).toEqual({ frame: [], connect: [] });
    expect(vendorOrigins({ sumsub: null, onfido }, "sumsub")).toEqual({ frame: [], connect: [] });
  });
});
