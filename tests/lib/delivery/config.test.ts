import { parseEnv } from "@/lib/env";
import { TEST_WEBHOOK_SECRET } from "../../helpers/webhook-receiver";

const base = { NODE_ENV: "test" };
const parse = (endpoints: unknown) =>
  parseEnv({ ...base, WEBHOOK_ENDPOINTS: JSON.stringify(endpoints) }).delivery.webhooks;

describe("WEBHOOK_ENDPOINTS configuration", () => {
  it("reads several endpoints with rotation secrets; allowPrivate defaults to false", () => {
    expect(
      parse([
        {
          id: "crm",
          url: "https://crm.example/kyc",
          secrets: [TEST_WEBHOOK_SECRET, TEST_WEBHOOK_SECRET],
        },
        {
          id: "local",
          url: "http://10.0.0.5/hook",
          secrets: [TEST_WEBHOOK_SECRET],
          allowPrivate: true,
        },
      ]),
    ).toEqual([
      {
        id: "crm",
        url: "https://crm.example/kyc",
        secrets: [TEST_WEBHOOK_SECRET, TEST_WEBHOOK_SECRET],
        allowPrivate: false,
      },
      {
        id: "local",
        url: "http://10.0.0.5/hook",
        secrets: [TEST_WEBHOOK_SECRET],
        allowPrivate: true,
      },
    ]);
    expect(parseEnv(base).delivery.webhooks).toEqual([]);
  });

  it.each([
    ["not JSON", "[{"],
    [
      "plain http without allowPrivate",
      [{ id: "a", url: "http://crm.example", secrets: [TEST_WEBHOOK_SECRET] }],
    ],
    ["a secret without whsec_", [{ id: "a", url: "https://crm.example", secrets: ["abc"] }]],
    ["a too short secret", [{ id: "a", url: "https://crm.example", secrets: ["whsec_YWJj"] }]],
    ["no secret", [{ id: "a", url: "https://crm.example", secrets: [] }]],
    [
      "duplicate ids",
      [
        { id: "a", url: "https://crm.example", secrets: [TEST_WEBHOOK_SECRET] },
        { id: "a", url: "https://crm2.example", secrets: [TEST_WEBHOOK_SECRET] },
      ],
    ],
    [
      "an unknown key",
      [{ id: "a", url: "https://crm.example", secrets: [TEST_WEBHOOK_SECRET], retries: 3 }],
    ],
  ])("refuses %s, naming the variable", (_label, value) => {
    expect(() =>
      parseEnv({
        ...base,
        WEBHOOK_ENDPOINTS: typeof value === "string" ? value : JSON.stringify(value),
      }),
    ).toThrow("WEBHOOK_ENDPOINTS");
  });
});
