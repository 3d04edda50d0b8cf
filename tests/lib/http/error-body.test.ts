import { AppError } from "@/lib/errors";
import { errorBodySchema } from "@/lib/http/error-body";
import { refusal, toErrorResponse } from "@/lib/http/json";
import { captureRefusal } from "@/lib/vendors/verdict";

describe("JSON error answers carry their reason", () => {
  it("answers an AppError with its reason, in the body the screens parse", async () => {
    const response = toErrorResponse(
      new AppError("GONE", "this verification's data was erased", { reason: "case_erased" }),
      "test",
    );
    expect(response.status).toBe(410);
    const body: unknown = await response.json();
    expect(errorBodySchema.parse(body)).toEqual({
      error: "Gone",
      message: "this verification's data was erased",
      code: "GONE",
      reason: "case_erased",
    });
  });

  it("adds no reason to an AppError without one, and none to a bug's generic 500", async () => {
    const plain = await toErrorResponse(new AppError("CONFLICT", "busy"), "test").json();
    expect(plain).toEqual({ error: "Conflict", message: "busy", code: "CONFLICT" });
    const bug = await toErrorResponse(new Error("secret detail"), "test").json();
    expect(bug).toEqual({
      error: "Internal Server Error",
      message: "internal error",
      code: "INTERNAL",
    });
  });

  it("keeps the refusal helper's shape: reason and its upper-case code", async () => {
    const body = await refusal(410, "case_erased", "the case was erased").json();
    expect(errorBodySchema.parse(body)).toMatchObject({
      code: "CASE_ERASED",
      reason: "case_erased",
    });
  });
});

describe("the vendor capture screen's reading of a refusal", () => {
  it("says the case was erased only for a 410 whose reason says so", () => {
    const erased = { error: "Gone", message: "x", code: "GONE", reason: "case_erased" };
    expect(captureRefusal(410, erased)).toBe("erased");
    // Before the reason was carried, a 410 said only GONE: a generic failure.
    expect(captureRefusal(410, { error: "Gone", message: "x", code: "GONE" })).toBe("failed");
    expect(captureRefusal(502, { ...erased, code: "UPSTREAM_UNAVAILABLE" })).toBe("failed");
    expect(captureRefusal(410, "not json")).toBe("failed");
    expect(captureRefusal(410, undefined)).toBe("failed");
  });
});
