/**
 * Which vendor verifies a level, and the adapter for it. An adapter's module is imported only
 * when a level names its vendor (dynamic import), so a broker without vendors runs no vendor
 * code at all; adapters are built once per process from the validated configuration.
 */
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import type { VendorName, VerificationVendor } from "./verdict";

export type LevelVendor = { vendor: VendorName; local: boolean };

/** The vendor a level uses, or null when the level runs our local checks only. */
export function vendorForLevel(level: string): LevelVendor | null {
  const levels = env().vendors.levels;
  return Object.hasOwn(levels, level) ? (levels[level] ?? null) : null;
}

/** Whether any level uses a vendor (the screens load nothing vendor-related otherwise). */
export function vendorsEnabled(): boolean {
  return Object.keys(env().vendors.levels).length > 0;
}

/** Keyed by the configuration object: a re-read configuration (tests) builds afresh. */
const adapters = new WeakMap<object, Promise<VerificationVendor>>();

/** The configured adapter; NOT_FOUND for a vendor no level names (its webhook route too). */
export function loadVendor(name: VendorName): Promise<VerificationVendor> {
  const config = env().vendors[name];
  if (!config) return Promise.reject(new AppError("NOT_FOUND", `vendor ${name} is not configured`));
  let loading = adapters.get(config);
  if (!loading) {
    loading = build(name);
    adapters.set(config, loading);
  }
  return loading;
}

async function build(name: VendorName): Promise<VerificationVendor> {
  const { sumsub, onfido } = env().vendors;
  if (name === "sumsub" && sumsub) return (await import("./sumsub")).sumsubVendor(sumsub);
  if (name === "onfido" && onfido) return (await import("./onfido")).onfidoVendor(onfido);
  throw new AppError("NOT_FOUND", `vendor ${name} is not configured`);
}
