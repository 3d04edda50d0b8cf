/**
 * The MRZ reader on synthetic documents rendered in OCR-B (tests/fixtures/mrz/synth.ts): it reads
 * what the zone says with valid check digits, straightens a tilted or sideways photo, repairs a
 * number OCR misread only where the check digits agree, and calls a page without a zone
 * unreadable rather than guessing.
 */
import sharp from "sharp";
import {
  closeMrzReader,
  numberVariants,
  readMrz,
  stateVariants,
  textSkew,
  zoneCandidates,
} from "@/lib/documents/mrz-read";
import { mrzName, mrzNameVariants } from "@/lib/documents/mrz-names";
import { renderDocument, SAMPLE_PEOPLE, td1Lines, td3Lines } from "../../fixtures/mrz/synth";

jest.setTimeout(120_000);
afterAll(closeMrzReader);

const [eriksson, mueller, kowalska] = SAMPLE_PEOPLE as [
  (typeof SAMPLE_PEOPLE)[0],
  (typeof SAMPLE_PEOPLE)[0],
  (typeof SAMPLE_PEOPLE)[0],
];

describe("names in ICAO 9303's transliteration", () => {
  it("writes national characters as the standard recommends and spaces as fillers", () => {
    expect(mrzName("Müller-Lüdenscheidt")).toBe("MUELLER<LUEDENSCHEIDT");
    expect(mrzName("Ørsted Åberg")).toBe("OERSTED<AABERG");
    expect(mrzName("Strauß")).toBe("STRAUSS");
    expect(mrzName("José María")).toBe("JOSE<MARIA");
    expect(mrzName("O'Neill")).toBe("ONEILL");
    expect(mrzNameVariants("Müller")).toEqual(["MUELLER", "MULLER"]);
  });
});

describe("reading a zone from OCR text", () => {
  it("finds two 44-character lines among other text and pads a dropped filler", () => {
    const [l1, l2] = td3Lines(eriksson);
    const text = `PASSPORT\nSURNAME ERIKSSON\n${l1.slice(0, 43)}\n${l2}\n`;
    expect(zoneCandidates(text)).toEqual([{ format: "TD3", lines: [l1, l2] }]);
  });

  it("spells a misread document number the other ways, fewest changes first", () => {
    const [l1, l2] = td3Lines(mueller);
    const misread = [l1, l2.replace("C01X00T47", "C01XO0T47")];
    const variants = numberVariants("TD3", misread);
    expect(variants.findIndex((v) => v[1] === l2)).toBeGreaterThanOrEqual(0);
    expect(variants.findIndex((v) => v[1] === l2)).toBeLessThan(6);
    expect(variants.every((v) => v[0] === l1)).toBe(true);
  });

  it("respells an unknown state code one letter at a time", () => {
    const [l1, l2, l3] = td1Lines(eriksson);
    const misread = [l1.replace("SWE", "SHE"), l2, l3];
    expect(stateVariants("TD1", misread).map((v) => v[0])).toContain(l1);
  });
});

describe("the skew of text lines", () => {
  it("measures lines drawn at a known angle", () => {
    const width = 600;
    const height = 200;
    for (const degrees of [-4, 0, 2.5]) {
      const grey = Buffer.alloc(width * height, 240);
      const slope = Math.tan((degrees * Math.PI) / 180);
      for (let x = 0; x < width; x++)
        for (const y0 of [60, 110])
          for (let d = 0; d < 12; d++) {
            const y = Math.round(y0 + d + x * slope);
            if (x % 14 < 9 && y >= 0 && y < height) grey[y * width + x] = 20;
          }
      expect(textSkew(grey, width, height)).toBeCloseTo(degrees, 0);
    }
  });
});

describe("readMrz on rendered documents", () => {
  it("reads a passport's zone with every check digit valid", async () => {
    const read = await readMrz(await renderDocument(eriksson, { kind: "passport" }));
    expect(read).toMatchObject({
      status: "read",
      format: "TD3",
      valid: true,
      rotation: 0,
      fields: {
        issuingState: "SWE",
        surnames: "ERIKSSON",
        givenNames: "ANNA<MARIA",
        documentNumber: "L898902C3",
        nationality: "SWE",
        dateOfBirth: "740812",
        sex: "F",
        expiryDate: "310415",
      },
    });
  });

  it("reads an identity card photographed sideways and slightly tilted", async () => {
    const read = await readMrz(
      await renderDocument(kowalska, { kind: "id_card", width: 1400, rotate: 92 }),
    );
    expect(read).toMatchObject({
      status: "read",
      format: "TD1",
      fields: { documentNumber: "AB1234567", dateOfBirth: "900605", nationality: "POL" },
    });
    expect(read.status === "read" && [90, 270]).toContain(read.status === "read" && read.rotation);
  });

  it("calls a page without a zone unreadable", async () => {
    const page = await sharp({
      create: { width: 1200, height: 800, channels: 3, background: "#f4efe2" },
    })
      .jpeg()
      .toBuffer();
    expect(await readMrz(page)).toEqual({ status: "unreadable", reason: "no_zone" });
  });
});
