/**
 * Reads the machine-readable zone of a passport or identity card photo, locally: the zone is
 * found as the band of long text lines at the bottom of the upright page, read by tesseract.js
 * (its classic character classifier, with the English data of the @tesseract.js-data/eng
 * package — nothing is downloaded at run time) limited to the MRZ alphabet, and parsed with check digits by `mrz`. Tesseract runs in its
 * own worker thread, so a read never blocks the event loop; the automated checks call this after
 * a submit (lib/checks/run.ts) and the pre-fill after an identity upload (zone-prefill.ts), never
 * on the trader's request, though in the web process too (after the response); reads take turns
 * under their own limit (work-limit.ts), apart from the confirms'.
 *
 * A page photographed sideways or upside down is tried in the other orientations until the check
 * digits agree; a read whose check digits never agree is `unreadable`, never a guess.
 */
import path from "node:path";
import { createRequire } from "node:module";
import sharp from "sharp";
import { decodeOptions, MAX_INPUT_PIXELS, SHARP_TIMEOUT_SECONDS } from "./image-check";
import { withOcrSlot } from "./work-limit";

export const MRZ_FORMATS = ["TD1", "TD2", "TD3"] as const;
export type MrzFormat = (typeof MRZ_FORMATS)[number];

/** What the zone says, as ICAO writes it (names with `<` between parts, dates YYMMDD). */
export type MrzFields = {
  documentCode: string;
  issuingState: string;
  surnames: string;
  givenNames: string;
  documentNumber: string;
  nationality: string;
  dateOfBirth: string;
  sex: "M" | "F" | "<";
  expiryDate: string;
};

export type MrzRead =
  | {
      status: "read";
      format: MrzFormat;
      fields: MrzFields;
      /** Every check digit agreed. */
      valid: boolean;
      /** Fields whose check digit disagreed (read, but not trustworthy). */
      invalidFields: string[];
      /** Tesseract's mean word confidence over the zone, 0–100. */
      confidence: number;
      /** Clockwise rotation that made the page upright. */
      rotation: Rotation;
    }
  | { status: "unreadable"; reason: "no_zone" | "check_digits" };

const LINE_LENGTHS: Record<MrzFormat, { lines: number; length: number }> = {
  TD1: { lines: 3, length: 30 },
  TD2: { lines: 2, length: 36 },
  TD3: { lines: 2, length: 44 },
};

/** The zone's band is searched in the lower part of the page, at about 20 px per character. */
const BAND_FRACTION = 0.45;
/**
 * Widths the band is read at, in order, until the check digits agree. Measured on the synthetic
 * set (docs/benchmarks.md, "MRZ"): the classic engine reads `<` reliably where the LSTM engine
 * reads it as K or L, and ~30 px per character suits it best; other scales rescue some photos.
 */
const OCR_WIDTHS = [1400, 1000, 2000];

type Recognizer = {
  recognize(image: Buffer): Promise<{ text: string; confidence: number }>;
  terminate(): Promise<unknown>;
};

let recognizer: Promise<Recognizer> | null = null;

/** One tesseract worker per process, created on first use and kept (loading it takes ~1 s). */
function getRecognizer(): Promise<Recognizer> {
  recognizer ??= (async () => {
    const require = createRequire(path.join(process.cwd(), "package.json"));
    const tesseract = (await import("tesseract.js")) as typeof import("tesseract.js");
    const data = path.join(
      path.dirname(require.resolve("@tesseract.js-data/eng/package.json")),
      "4.0.0",
    );
    const worker = await tesseract.createWorker("eng", tesseract.OEM.TESSERACT_ONLY, {
      langPath: data,
      gzip: true,
      cacheMethod: "none",
    });
    await worker.setParameters({
      tessedit_char_whitelist: "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<",
      tessedit_pageseg_mode: tesseract.PSM.SINGLE_BLOCK,
      preserve_interword_spaces: "0",
    });
    return {
      async recognize(image: Buffer) {
        const { data: result } = await worker.recognize(image);
        return { text: result.text, confidence: result.confidence };
      },
      terminate: () => worker.terminate(),
    };
  })().catch((error: unknown) => {
    recognizer = null;
    throw error;
  });
  return recognizer;
}

/** Ends the OCR worker thread (a process that should exit, a test file's end). */
export async function closeMrzReader(): Promise<void> {
  const current = recognizer;
  recognizer = null;
  if (current) await (await current.catch(() => null))?.terminate();
}

/**
 * The skew of text lines in a grey raster, in degrees: the angle whose sheared row profile of
 * dark pixels is the most peaked (text lines and the gaps between them line up). A photo held a
 * few degrees off tilts the zone's 44-character lines by more than their spacing, and the
 * classic engine then reads two lines as one.
 */
export function textSkew(grey: Buffer, width: number, height: number): number {
  let sum = 0;
  for (const v of grey) sum += v;
  const threshold = (sum / grey.length) * 0.75;
  const dark: number[] = [];
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) if (grey[y * width + x]! < threshold) dark.push(x, y);
  let bestAngle = 0;
  let bestScore = -1;
  for (let tenths = -80; tenths <= 80; tenths += 5) {
    const slope = Math.tan((tenths / 10) * (Math.PI / 180));
    const rows = new Float64Array(height + width);
    for (let i = 0; i < dark.length; i += 2) {
      const row = Math.round(dark[i + 1]! - dark[i]! * slope + width * 0.15);
      if (row >= 0 && row < rows.length) rows[row]! += 1;
    }
    let score = 0;
    for (const r of rows) score += r * r;
    if (score > bestScore) {
      bestScore = score;
      bestAngle = tenths / 10;
    }
  }
  return bestAngle;
}

/**
 * The lower band of the page in one orientation, straightened, grey, contrast-stretched, `width`
 * pixels wide.
 */
async function band(image: Buffer, rotation: number, width: number): Promise<Buffer> {
  const upright = await sharp(image, decodeOptions(MAX_INPUT_PIXELS))
    .rotate(rotation)
    .greyscale()
    .resize({ width, withoutEnlargement: false })
    .timeout({ seconds: SHARP_TIMEOUT_SECONDS })
    .png()
    .toBuffer({ resolveWithObject: true });
  const cropBottom = (input: Buffer, w: number, h: number) => {
    const top = Math.floor(h * (1 - BAND_FRACTION));
    return sharp(input).extract({ left: 0, top, width: w, height: h - top });
  };
  const probe = await cropBottom(upright.data, upright.info.width, upright.info.height)
    .resize({ width: 600 })
    .normalise()
    .extractChannel(0)
    .raw()
    .toBuffer({ resolveWithObject: true });
  const skew = textSkew(probe.data, probe.info.width, probe.info.height);
  if (skew === 0)
    return cropBottom(upright.data, upright.info.width, upright.info.height)
      .normalise()
      .png()
      .toBuffer();
  const straight = await sharp(upright.data)
    .rotate(-skew, { background: "#ffffff" })
    .png()
    .toBuffer({ resolveWithObject: true });
  return cropBottom(straight.data, straight.info.width, straight.info.height)
    .normalise()
    .png()
    .toBuffer();
}

/** Candidate zones in OCR text: runs of consecutive long lines, fitted to a format's length. */
export function zoneCandidates(text: string): { format: MrzFormat; lines: string[] }[] {
  const lines = text
    .split("\n")
    .map((l) => l.replace(/[^A-Z0-9<]/g, ""))
    .filter((l) => l.length >= 26);
  const out: { format: MrzFormat; lines: string[] }[] = [];
  for (const format of MRZ_FORMATS) {
    const { lines: n, length } = LINE_LENGTHS[format];
    for (let i = lines.length - n; i >= 0; i--) {
      const group = lines.slice(i, i + n);
      if (group.every((l) => Math.abs(l.length - length) <= 2))
        out.push({ format, lines: group.map((l) => fitLine(l, length)) });
    }
  }
  return out;
}

/** Filler at a line's end is what OCR most often drops or doubles. */
function fitLine(line: string, length: number): string {
  if (line.length === length) return line;
  if (line.length > length)
    return line.replace(/<+$/, (m) => m.slice(line.length - length)).slice(0, length);
  return line.replace(/<*$/, (m) => m + "<".repeat(length - line.length));
}

/** Where the document number and its check digit sit: [line, start, end]. */
const NUMBER_AT: Record<MrzFormat, [number, number, number]> = {
  TD1: [0, 5, 14],
  TD2: [1, 0, 9],
  TD3: [1, 0, 9],
};
/** Letters and digits OCR-B readers confuse; the number field may hold either. */
const LOOKALIKE: Record<string, string> = {
  "0": "O",
  O: "0",
  D: "0",
  Q: "0",
  "1": "I",
  I: "1",
  "2": "Z",
  Z: "2",
  "5": "S",
  S: "5",
  "8": "B",
  B: "8",
  "6": "G",
  G: "6",
};
const MAX_SWAPS = 3;

/**
 * The zone with its document number spelt the other ways OCR may have misread it (O for 0, Z for
 * 2, …), fewest changes first. Only the check digits decide which one is right; the caller never
 * compares against what the trader typed while choosing.
 */
export function numberVariants(format: MrzFormat, lines: string[]): string[][] {
  const [line, start, end] = NUMBER_AT[format];
  const text = lines[line]!;
  const positions = [...text.slice(start, end)]
    .map((c, i) => (LOOKALIKE[c] ? start + i : -1))
    .filter((i) => i >= 0);
  const out: { swaps: number; lines: string[] }[] = [];
  const total = 1 << positions.length;
  for (let mask = 1; mask < total && out.length < 512; mask++) {
    let swaps = 0;
    const chars = [...text];
    positions.forEach((pos, bit) => {
      if (mask & (1 << bit)) {
        chars[pos] = LOOKALIKE[chars[pos]!]!;
        swaps++;
      }
    });
    if (swaps <= MAX_SWAPS)
      out.push({ swaps, lines: lines.map((l, i) => (i === line ? chars.join("") : l)) });
  }
  return out.sort((a, b) => a.swaps - b.swaps).map((v) => v.lines);
}

type Parsed = ReturnType<typeof import("mrz").parse>;

/** Where the issuing state and the nationality sit: [line, start]; three letters each. */
const STATES_AT: Record<MrzFormat, [number, number][]> = {
  TD1: [
    [0, 2],
    [1, 15],
  ],
  TD2: [
    [0, 2],
    [1, 10],
  ],
  TD3: [
    [0, 2],
    [1, 10],
  ],
};
/** Letters of similar shape that the classic engine swaps on soft photos (W read as H, …). */
const SIMILAR_LETTERS: Record<string, string> = {
  H: "WMN",
  W: "HMNV",
  M: "HWN",
  N: "HMW",
  U: "VW",
  V: "UW",
  O: "DQ",
  D: "O",
  "0": "O",
  "1": "I",
  "5": "S",
  "8": "B",
};

/**
 * The zone with a state code that is not a country respelt with similar letters, one letter at a
 * time; `mrz` then accepts only spellings that are real codes. No check digit covers these
 * fields, so only an unknown code is repaired, never a known one.
 */
export function stateVariants(format: MrzFormat, lines: string[]): string[][] {
  const out: string[][] = [];
  for (const [line, start] of STATES_AT[format]) {
    const text = lines[line]!;
    for (let i = start; i < start + 3; i++)
      for (const alt of SIMILAR_LETTERS[text[i]!] ?? "") {
        const chars = [...text];
        chars[i] = alt;
        out.push(lines.map((l, j) => (j === line ? chars.join("") : l)));
      }
  }
  return out;
}

/** A misread state code first (one letter per pass), then the document number's spellings. */
function repairZone(
  parse: typeof import("mrz").parse,
  format: MrzFormat,
  lines: string[],
): Parsed | null {
  const invalidStates = (parsed: Parsed) =>
    parsed.details.filter(
      (d) => !d.valid && (d.field === "issuingState" || d.field === "nationality"),
    ).length;
  let base = lines;
  try {
    for (let pass = 0; pass < 2; pass++) {
      let fewest = invalidStates(parse(base, { autocorrect: true }));
      if (fewest === 0) break;
      for (const variant of stateVariants(format, base)) {
        const parsed = parse(variant, { autocorrect: true });
        if (parsed.valid) return parsed;
        const invalid = invalidStates(parsed);
        if (invalid < fewest) {
          fewest = invalid;
          base = variant;
        }
      }
    }
  } catch {
    return null;
  }
  return repairNumber(parse, format, base);
}

/** The first spelling of the document number whose check digits all agree, if any. */
function repairNumber(
  parse: typeof import("mrz").parse,
  format: MrzFormat,
  lines: string[],
): Parsed | null {
  for (const variant of numberVariants(format, lines)) {
    try {
      const parsed = parse(variant, { autocorrect: true });
      if (parsed.valid) return parsed;
    } catch {
      continue;
    }
  }
  return null;
}

type Rotation = 0 | 90 | 180 | 270;

function toRead(parsed: Parsed, confidence: number, rotation: Rotation): MrzRead | null {
  const format = parsed.format as string;
  if (!(MRZ_FORMATS as readonly string[]).includes(format)) return null;
  const f = parsed.fields;
  const text = (value: string | null | undefined) => (value ?? "").trim();
  return {
    status: "read",
    format: format as MrzFormat,
    fields: {
      documentCode: text(f.documentCode),
      issuingState: text(f.issuingState),
      surnames: text(f.lastName).replace(/ +/g, "<"),
      givenNames: text(f.firstName).replace(/ +/g, "<"),
      documentNumber: text(parsed.documentNumber ?? f.documentNumber),
      nationality: text(f.nationality),
      dateOfBirth: text(f.birthDate),
      sex: f.sex === "male" ? "M" : f.sex === "female" ? "F" : "<",
      expiryDate: text(f.expirationDate),
    },
    valid: parsed.valid,
    invalidFields: parsed.details.filter((d) => !d.valid && d.field).map((d) => d.field as string),
    confidence: Math.round(confidence),
    rotation,
  };
}

/** Landscape pages (every TD1/TD2/TD3 page is) are tried upright first, portrait ones sideways. */
async function orientations(image: Buffer): Promise<Rotation[]> {
  const meta = await sharp(image, decodeOptions(MAX_INPUT_PIXELS)).metadata();
  const width = meta.autoOrient?.width ?? meta.width ?? 0;
  const height = meta.autoOrient?.height ?? meta.height ?? 0;
  return width >= height ? [0, 180, 90, 270] : [90, 270, 0, 180];
}

/**
 * Reads the zone under the OCR limit (work-limit.ts `withOcrSlot`), never the document work
 * limit the upload confirms wait on: a sideways page takes seconds of OCR.
 */
export function readMrz(image: Buffer): Promise<MrzRead> {
  return withOcrSlot(() => readMrzNow(image));
}

async function readMrzNow(image: Buffer): Promise<MrzRead> {
  const { parse } = await import("mrz");
  const ocr = await getRecognizer();
  let sawZone = false;
  let best: MrzRead | null = null;
  for (const rotation of await orientations(image)) {
    for (const width of OCR_WIDTHS) {
      const { text, confidence } = await ocr.recognize(await band(image, rotation, width));
      const candidates = zoneCandidates(text);
      // No zone-like lines at all: this is not the upright page; other scales will not help.
      if (candidates.length === 0) break;
      for (const candidate of candidates) {
        let parsed: Parsed;
        try {
          parsed = parse(candidate.lines, { autocorrect: true });
        } catch {
          continue;
        }
        sawZone = true;
        if (!parsed.valid) parsed = repairZone(parse, candidate.format, candidate.lines) ?? parsed;
        const read = toRead(parsed, confidence, rotation);
        if (!read || read.status !== "read") continue;
        if (read.valid) return read;
        if (
          !best ||
          (best.status === "read" && read.invalidFields.length < best.invalidFields.length)
        )
          best = read;
      }
    }
    if (sawZone) break;
  }
  return best && best.status === "read" && best.invalidFields.length === 0
    ? best
    : { status: "unreadable", reason: sawZone ? "check_digits" : "no_zone" };
}
