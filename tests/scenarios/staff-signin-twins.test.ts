/**
 * Scenario of a double click on the console's code form: two requests with the same right
 * one-time code, the second answered after the first signed the officer in. The late twin finds
 * the half session used up; its answer must not leave the signed-in officer on an "expired"
 * sign-in page. A browser without a session still reads "expired".
 */
import "./support/request-scope";
import { textOf } from "../helpers/render-page";
import { Staff } from "./support/people";
import { outcomeOf, scenarioWorld } from "./support/world";

const world = scenarioWorld();

describe("scenario: the same right code sent twice at sign-in", () => {
  it("lands the late twin in the console the winner opened, and says expired only without a session", async () => {
    const w = world();
    const account = await w.createStaff("twin.approver@broker.example", "approver");
    const phone = new Staff(account);
    await phone.signIn();

    // Another browser, the same authenticator app: the code form is sent twice at once.
    const laptop = new Staff(account);
    laptop.authenticator = phone.authenticator;
    const [winner, late] = await laptop.signInWithTwinCodes();
    expect(winner).toBe("/admin");
    // The late twin's own answer: its half session is gone, so it sends the browser to sign in
    // with the "expired" notice...
    expect(late).toBe("/admin/login?error=expired");
    // ...and the browser follows it holding the winner's cookie: it lands in the console.
    const followed = await outcomeOf(laptop.loginPage({ error: "expired" }));
    expect(followed).toEqual({ redirect: "/admin" });
    expect(textOf(await laptop.queue())).toContain("Review queue");

    // A browser without a session is told its sign-in expired.
    const stranger = new Staff(account);
    expect(await stranger.loginPage({ error: "expired" })).toContain('data-testid="login-expired"');
  }, 300_000);
});
