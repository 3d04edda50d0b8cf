import { readFileSync } from "node:fs";
import path from "node:path";
import { isAppError } from "@/lib/errors";
import { parseCsv } from "@/lib/screening/csv";
import {
  loadList,
  naturalOrder,
  parseGenericCsv,
  parseOfacDob,
  parseOfacSdn,
  sniffFormat,
} from "@/lib/screening/loaders";

const fixtures = path.join(__dirname, "../../fixtures/sanctions");
const ofacText = readFileSync(path.join(fixtures, "ofac-sdn-excerpt.csv"), "utf8");
const genericText = readFileSync(path.join(fixtures, "generic-pep.csv"), "utf8");
const ofac = parseOfacSdn(ofacText);
const byId = (id: string) => {
  const entry = ofac.entries.find((e) => e.id === id);
  if (!entry) throw new Error(`fixture lacks entry ${id}`);
  return entry;
};

describe("CSV reader", () => {
  it("keeps commas, doubled quotes and line breaks inside quoted fields", () => {
    const records = parseCsv('a,"b, c","say ""hi""","two\nlines"\r\nnext,row\r\n');
    expect(records).toEqual([
      { line: 1, fields: ["a", "b, c", 'say "hi"', "two\nlines"] },
      { line: 3, fields: ["next", "row"] },
    ]);
  });

  it("reports an unterminated quote with the line it started on instead of throwing", () => {
    const records = parseCsv('ok,1\n"broken,2\n');
    expect(records[0]).toEqual({ line: 1, fields: ["ok", "1"] });
    expect(records[1]).toMatchObject({ line: 2, error: "unterminated quoted field" });
  });

  it("ignores a byte-order mark, blank lines and the DOS end-of-file byte", () => {
    expect(parseCsv("\ufeffa,b\n\n\x1a")).toEqual([{ line: 1, fields: ["a", "b"] }]);
  });
});

describe("OFAC SDN loader", () => {
  it("reads every line of the excerpt of the real list without issues", () => {
    expect(ofac.issues).toEqual([]);
    expect(ofac.entries.length).toBe(ofacText.trim().split("\r\n").length);
    expect(new Set(ofac.entries.map((e) => e.type))).toEqual(
      new Set(["individual", "entity", "vessel", "aircraft"]),
    );
  });

  it("turns 'SURNAME, Given' into natural order for individuals only", () => {
    expect(byId("6707").name).toBe("Rafael CARO QUINTERO");
    expect(byId("306").name).toBe("BANCO NACIONAL DE CUBA");
    expect(naturalOrder("DELOS REYES, Feliciano Semborio, Jr.")).toBe(
      "Feliciano Semborio Jr. DELOS REYES",
    );
  });

  it("parses a.k.a. and f.k.a. aliases out of the remarks, including apostrophes inside them", () => {
    expect(byId("10898").aliases).toEqual(["Haji ASAD", "HAJI ABDULLAH"]);
    expect(byId("4243").aliases).toEqual(["ANA I", "SAND SWAN"]);
    expect(byId("306").aliases).toEqual(["BNC"]);
    const remarks = parseOfacSdn(
      `1,"X, Y","individual","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"a.k.a. 'ABU-'UMAR'; a.k.a. 'AL-'ASKARI, Ali'."`,
    );
    expect(remarks.entries[0]?.aliases).toEqual(["ABU-'UMAR", "Ali AL-'ASKARI"]);
  });

  it("parses full dates, alternative dates, circa, ranges and month-year dates of birth", () => {
    expect(byId("6707").datesOfBirth).toEqual([
      { year: 1952, month: 12, day: 12 },
      { year: 1955, month: 11, day: 24 },
      { year: 1955, month: 10, day: 24 },
    ]);
    expect(byId("16455").datesOfBirth).toEqual([{ year: 1964 }, { year: 1963, yearTo: 1965 }]);
    expect(byId("10569").datesOfBirth).toEqual([{ year: 1975, approximate: true }]);
    expect(byId("10592").datesOfBirth).toEqual([{ year: 1968, month: 2 }]);
    expect(byId("11748").datesOfBirth).toEqual([
      { year: 1979, yearTo: 1982, approximate: true },
      { year: 1982 },
    ]);
    expect(parseOfacDob("01 Jan 1960 to 31 Dec 1961")).toEqual({ year: 1960, yearTo: 1961 });
    expect(parseOfacDob("31 Foo 1960")).toBeUndefined();
  });

  it("maps nationality and citizenship to ISO codes, including OFAC's own spellings", () => {
    expect(byId("17614").nationalities).toEqual(["KP"]);
    expect(byId("41112").nationalities).toEqual(["RU"]);
    expect(byId("10898").nationalities).toEqual(["AF"]);
    expect(byId("37437").nationalities).toEqual(["BA"]);
    expect(byId("16133")).toMatchObject({ nationalities: ["KH"], placesOfBirth: ["Tokyo, Japan"] });
  });

  it("splits programs", () => {
    expect(byId("21328").programs).toEqual(["CYBER2", "CAATSA - RUSSIA"]);
  });

  it("reports malformed lines with their line numbers and keeps the good ones", () => {
    const text = [
      `1,"GOOD, One","individual","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 1960."`,
      `2,"SHORT, Line","individual"`,
      `x3,"BAD, Number","individual","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- `,
      `4,"ODD","spaceship","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- `,
      `1,"DUPLICATE","individual","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- `,
      `6,"GOOD, Two","individual","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- `,
      `7,"UNTERMINATED,-0- ,"SDGT"`,
    ].join("\r\n");
    const result = parseOfacSdn(text);
    expect(result.entries.map((e) => e.name)).toEqual(["One GOOD", "Two GOOD"]);
    expect(result.issues.map((i) => i.line)).toEqual([2, 3, 4, 5, 7]);
    expect(result.issues[0]?.message).toMatch(/columns/);
  });
});

describe("generic CSV loader", () => {
  const generic = parseGenericCsv(genericText);

  it("reads names, ;-separated aliases, dates of birth and countries", () => {
    expect(generic.issues).toEqual([]);
    expect(generic.entries).toHaveLength(5);
    expect(generic.entries[3]).toMatchObject({
      name: "Борис Кузнецов",
      aliases: ["Boris Kuznetsov", "Boris Kouznetsov"],
      datesOfBirth: [{ year: 1958, month: 2, day: 28 }, { year: 1959 }],
      nationalities: ["RU", "CY"],
      type: "individual",
      source: "generic",
    });
    expect(generic.entries[2]).toMatchObject({
      datesOfBirth: [{ year: 1975, month: 9 }],
      nationalities: ["NG"],
    });
  });

  it("reports rows with bad dates, missing names or wrong column counts", () => {
    const result = parseGenericCsv(
      "name,aliases,dob,country\nA B,,12/03/1960,FR\n,,1960,FR\nC D,,1960\nE F,,1960,FR\n",
    );
    expect(result.entries.map((e) => e.name)).toEqual(["E F"]);
    expect(result.issues).toEqual([
      { line: 2, message: expect.stringMatching(/date of birth/) },
      { line: 3, message: "empty name" },
      { line: 4, message: expect.stringMatching(/columns/) },
    ]);
  });
});

describe("format sniffing", () => {
  it("picks the loader from the first line", () => {
    expect(sniffFormat(ofacText)).toBe("ofac-sdn");
    expect(sniffFormat(genericText)).toBe("generic");
    expect(loadList(genericText).format).toBe("generic");
    expect(loadList(ofacText).entries.length).toBe(ofac.entries.length);
  });

  it("refuses a file in neither format with a bad-request error", () => {
    let caught: unknown;
    try {
      loadList("foo;bar\n1;2\n");
    } catch (error) {
      caught = error;
    }
    expect(isAppError(caught) && caught.code).toBe("BAD_REQUEST");
  });
});
