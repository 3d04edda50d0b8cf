import { declaredContentType, fitWithin } from "@/lib/documents/client-image";

describe("browser-side downscale", () => {
  it("fits a 12 MP photo within 2000 px on its long edge and never upscales", () => {
    expect(fitWithin(4000, 3000, 2000)).toEqual({ width: 2000, height: 1500 });
    expect(fitWithin(3000, 4000, 2000)).toEqual({ width: 1500, height: 2000 });
    expect(fitWithin(800, 600, 2000)).toEqual({ width: 800, height: 600 });
    expect(fitWithin(1, 10_000, 2000)).toEqual({ width: 1, height: 2000 });
  });
});

describe("content type of a file sent as it is", () => {
  it("keeps the type the browser knows", () => {
    expect(declaredContentType({ type: "image/heic", name: "IMG_0001.HEIC" })).toBe("image/heic");
    expect(declaredContentType({ type: "image/png", name: "scan.heic" })).toBe("image/png");
  });

  it("names HEIC and HEIF by extension when the browser knows no type (Chromium on Windows)", () => {
    expect(declaredContentType({ type: "", name: "IMG_0001.HEIC" })).toBe("image/heic");
    expect(declaredContentType({ type: "application/octet-stream", name: "a.heic" })).toBe(
      "image/heic",
    );
    expect(declaredContentType({ type: "", name: "photo.heif" })).toBe("image/heif");
  });

  it("leaves anything else unknown, for the server to refuse", () => {
    expect(declaredContentType({ type: "", name: "notes.txt" })).toBe("application/octet-stream");
    expect(declaredContentType({ type: "", name: "heic" })).toBe("application/octet-stream");
  });
});
