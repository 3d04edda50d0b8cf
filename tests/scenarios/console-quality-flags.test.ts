/**
 * The upload quality check names the photos it flagged; the case page shows them as an officer
 * reads them (which document, which side, which issue, in words), not as stored JSON with ids;
 * a check that found nothing to list says so with a dash, not a blank.
 */
import "./support/request-scope";
import sharp from "sharp";
import { textOf } from "../helpers/render-page";
import { signedInStaff, Trader } from "./support/people";
import { scenarioWorld } from "./support/world";

const world = scenarioWorld();

const greyPng = () =>
  sharp({ create: { width: 50, height: 40, channels: 3, background: "#808080" } })
    .png()
    .toBuffer();

it("shows each flagged photo by document, side and issue in words", async () => {
  const w = world();
  const trader = new Trader(w, 561_001);
  await trader.launch("kyc");
  await trader.fillStandardForms();
  expect(await trader.upload("identity", "page", await greyPng(), "image/png")).toMatchObject({
    status: 200,
  });
  expect(await trader.upload("address")).toMatchObject({ status: 200 });
  expect(await trader.submit()).toEqual({ redirect: "/inapp/kyc/status" });
  await w.worker();

  const officer = await signedInStaff(w, "quality.reviewer@broker.example", "reviewer");
  const page = await officer.casePage((await trader.currentCase()).id);
  const flagged = page.match(/data-key="flagged">[^<]*<\/dt><dd>([\s\S]*?)<\/dd>/)?.[1];
  expect(flagged).toBeDefined();
  expect(textOf(flagged!)).toContain("Identity document · Page — Too small, Blurry");
  expect(flagged).not.toContain("documentId");

  // An empty list reads as "none" (a dash), as an empty value does, not as a blank.
  for (const key of ["otherTraders", "otherCases", "reused"])
    expect(page).toMatch(
      new RegExp(`data-key="${key}">[^<]*</dt><dd><span class="muted">—</span></dd>`),
    );
});
