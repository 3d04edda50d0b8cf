import { sql } from "drizzle-orm";
import { errorFacts } from "@/lib/errors";
import { toErrorResponse } from "@/lib/http/json";
import { captureLogs } from "../helpers/log-capture";
import { createTestDb, type TestDb } from "../helpers/test-db";

let t: TestDb;
beforeAll(async () => {
  t = await createTestDb();
});
afterAll(() => t.close());

describe("errorFacts", () => {
  it("names a failed query by its SQLSTATE and never quotes the statement or its values", async () => {
    const failure = await t.db
      .execute(sql`select ${"private.person@example.com"}::int`)
      .then(() => undefined)
      .catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    const facts = errorFacts(failure);
    expect(facts).toMatchObject({ errorCode: "22P02" });
    expect(JSON.stringify(facts)).not.toMatch(/private\.person|select/i);

    const logs = captureLogs();
    try {
      expect(toErrorResponse(failure, "test.route").status).toBe(500);
    } finally {
      logs.stop();
    }
    const line = logs.lines.find((l) => l.includes('"route.failed"'));
    expect(JSON.parse(line!)).toMatchObject({ route: "test.route", errorCode: "22P02" });
    expect(line).not.toMatch(/private\.person|select/i);
  });

  it("keeps a bug's class and the place it happened", () => {
    const facts = errorFacts(new TypeError("form.get is not a function"));
    expect(facts).toMatchObject({ errorName: "TypeError", errorAt: expect.stringMatching(/^at /) });
    expect(JSON.stringify(facts)).not.toContain("form.get");
  });
});
