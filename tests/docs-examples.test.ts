/**
 * The JSON a broker's developer copies out of docs/ is what the app accepts: each example is run
 * through the schema the app validates that setting with at start, and where the guide calls an
 * example "the default", it is the code's default. A changed schema that leaves the guide behind
 * fails here, not at a broker's first deploy.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { DEFAULT_RISK_CONFIG, resolveRiskConfig } from "@/lib/checks/risk";
import { DEFAULT_ACCESS_RIGHTS, parseEnv } from "@/lib/env";
import { levelsConfigSchema } from "@/lib/kyc/levels";

const doc = (name: string) => readFileSync(path.join(__dirname, "../docs", name), "utf8");

/** The first ```json block after `marker` in the guide (the text that introduces it). */
function exampleAfter(guide: string, marker: string): string {
  const at = guide.indexOf(marker);
  expect({ marker, found: at >= 0 }).toEqual({ marker, found: true });
  const block = /```json\n([\s\S]*?)\n```/.exec(guide.slice(at));
  expect({ marker, block: block !== null }).toEqual({ marker, block: true });
  return block![1]!;
}

describe("docs/configuration.md", () => {
  const guide = doc("configuration.md");

  it("shows a KYC_LEVELS_PATH file the levels schema accepts", () => {
    const example = JSON.parse(exampleAfter(guide, "A broker replaces them with a JSON"));
    expect(levelsConfigSchema.safeParse(example).error?.issues ?? []).toEqual([]);
  });

  it("shows a RISK_CONFIG_PATH file the risk config accepts, which changes what it names and only that", () => {
    const example = JSON.parse(exampleAfter(guide, "`RISK_CONFIG_PATH` names a JSON")) as Record<
      string,
      unknown
    > & { points: Record<string, unknown> };
    const config = resolveRiskConfig(example, "docs/configuration.md");
    const { points, ...rest } = example;
    expect(Object.keys(rest).length).toBeGreaterThan(0);
    for (const [key, value] of Object.entries(rest)) {
      expect({ key, value: config[key as keyof typeof config] }).toEqual({ key, value });
      expect({ key, value }).not.toEqual({
        key,
        value: DEFAULT_RISK_CONFIG[key as keyof typeof DEFAULT_RISK_CONFIG],
      });
    }
    for (const [check, value] of Object.entries(points))
      expect({ check, value: config.points[check as keyof typeof config.points] }).toMatchObject({
        check,
        value,
      });
    const untouched = Object.keys(DEFAULT_RISK_CONFIG.points).filter((c) => !(c in points));
    for (const check of untouched)
      expect(config.points[check as keyof typeof config.points]).toEqual(
        DEFAULT_RISK_CONFIG.points[check as keyof typeof DEFAULT_RISK_CONFIG.points],
      );
  });

  it("shows CTRADER_ACCESS_RIGHTS' default as the code has it, in a form the setting accepts", () => {
    const text = exampleAfter(guide, "`CTRADER_ACCESS_RIGHTS` maps level");
    expect(JSON.parse(text)).toEqual(DEFAULT_ACCESS_RIGHTS);
    const env = parseEnv({
      NODE_ENV: "development",
      CTRADER_ACCOUNT_UPDATE: "1",
      CTRADER_API_URL: "https://ctrader.example",
      CTRADER_MANAGER_TOKEN: "m",
      CTRADER_ACCESS_RIGHTS: text,
    });
    expect(env.ctraderAccountUpdate?.mapping).toEqual(DEFAULT_ACCESS_RIGHTS);
  });
});

describe("docs/operations.md", () => {
  it("shows the crons of the vercel.json the repository ships", () => {
    const shipped = JSON.parse(readFileSync(path.join(__dirname, "../vercel.json"), "utf8")) as {
      crons: unknown;
    };
    const example = JSON.parse(
      exampleAfter(doc("operations.md"), "The default `vercel.json` deploys"),
    ) as { crons: unknown };
    expect(example.crons).toEqual(shipped.crons);
  });
});
