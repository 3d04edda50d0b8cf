/**
 * vercel.json deploys on every Vercel plan: the free plan refuses a cron that runs more than once
 * a day, so every default schedule names one minute of one hour, and every path is a route that
 * answers Vercel's GET within its plan's duration limit.
 */
import { readFileSync } from "node:fs";
import path from "node:path";

type VercelConfig = { crons?: { path: string; schedule: string }[] };
const config = JSON.parse(
  readFileSync(path.join(__dirname, "../vercel.json"), "utf8"),
) as VercelConfig;

describe("vercel.json", () => {
  it("schedules only crons that run at most once a day", () => {
    expect(config.crons?.length).toBeGreaterThan(0);
    for (const cron of config.crons ?? []) {
      const fields = cron.schedule.trim().split(/\s+/);
      expect({ cron, fields: fields.length }).toEqual({ cron, fields: 5 });
      const [minute, hour, dayOfMonth, month, dayOfWeek] = fields;
      // One fixed minute of one fixed hour: no *, ranges, lists or steps.
      expect({ cron, minute: /^([0-9]|[1-5][0-9])$/.test(minute!) }).toEqual({
        cron,
        minute: true,
      });
      expect({ cron, hour: /^([0-9]|1[0-9]|2[0-3])$/.test(hour!) }).toEqual({ cron, hour: true });
      for (const field of [dayOfMonth, month, dayOfWeek])
        expect({ cron, field: /^(\*|[0-9]+)$/.test(field!) }).toEqual({ cron, field: true });
    }
  });

  it("points every cron at a route with a GET handler and a maxDuration the free plan allows", async () => {
    for (const cron of config.crons ?? []) {
      expect(cron.path).toMatch(/^\/api\/cron\/[a-z-]+$/);
      const route = (await import(`@/app${cron.path}/route`)) as {
        GET?: unknown;
        maxDuration?: number;
      };
      expect(typeof route.GET).toBe("function");
      expect(route.maxDuration).toBeGreaterThan(0);
      expect(route.maxDuration).toBeLessThanOrEqual(60);
    }
  });
});
