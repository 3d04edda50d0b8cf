import { fitWithin } from "@/lib/documents/client-image";

describe("browser-side downscale", () => {
  it("fits a 12 MP photo within 2000 px on its long edge and never upscales", () => {
    expect(fitWithin(4000, 3000, 2000)).toEqual({ width: 2000, height: 1500 });
    expect(fitWithin(3000, 4000, 2000)).toEqual({ width: 1500, height: 2000 });
    expect(fitWithin(800, 600, 2000)).toEqual({ width: 800, height: 600 });
    expect(fitWithin(1, 10_000, 2000)).toEqual({ width: 1, height: 2000 });
  });
});
