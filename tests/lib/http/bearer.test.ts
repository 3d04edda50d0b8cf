import { bearerAccess, crmApiRefusal } from "@/lib/http/bearer";
import { setTestEnv } from "../../helpers/env";

const KEY = "a-crm-api-key-for-tests-0123456789abcdef";

function request(authorization?: string): Request {
  return new Request("https://broker.test/api/crm/traders/1/upgrade", {
    method: "POST",
    headers: authorization ? { authorization } : {},
  });
}

describe("bearer keys", () => {
  it("grants the configured key and refuses a wrong, missing or malformed one", () => {
    expect(bearerAccess(`Bearer ${KEY}`, KEY)).toBe("granted");
    expect(bearerAccess(`bearer ${KEY}`, KEY)).toBe("granted");
    expect(bearerAccess(`Bearer ${KEY}x`, KEY)).toBe("refused");
    expect(bearerAccess(`Bearer ${KEY.slice(1)}`, KEY)).toBe("refused");
    expect(bearerAccess(KEY, KEY)).toBe("refused");
    expect(bearerAccess(`Basic ${KEY}`, KEY)).toBe("refused");
    expect(bearerAccess(`Bearer ${KEY} extra`, KEY)).toBe("refused");
    expect(bearerAccess(null, KEY)).toBe("refused");
    expect(bearerAccess("Bearer ", KEY)).toBe("refused");
  });

  it("lets nobody in while no key is configured", () => {
    expect(bearerAccess(`Bearer ${KEY}`, undefined)).toBe("unset");
    expect(bearerAccess(null, undefined)).toBe("unset");
  });

  it("answers the CRM API 404 while CRM_API_KEY is unset, 401 with a challenge for a bad key", async () => {
    setTestEnv({ CRM_API_KEY: undefined });
    expect(crmApiRefusal(request(`Bearer ${KEY}`))?.status).toBe(404);
    setTestEnv({ CRM_API_KEY: KEY });
    const refused = crmApiRefusal(request("Bearer wrong"));
    expect(refused?.status).toBe(401);
    expect(refused?.headers.get("www-authenticate")).toBe('Bearer realm="crm"');
    expect(await refused?.json()).toMatchObject({ reason: "unauthenticated" });
    expect(crmApiRefusal(request(`Bearer ${KEY}`))).toBeNull();
  });

  it("refuses to start with a CRM_API_KEY shorter than 32 characters", () => {
    setTestEnv({ CRM_API_KEY: "short" });
    expect(() => crmApiRefusal(request())).toThrow(/CRM_API_KEY/);
    setTestEnv();
  });
});
