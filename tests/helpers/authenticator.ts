/**
 * The officer's authenticator app, for tests: the secret read from the enrolment screen, the
 * codes it would show (otplib, the same RFC 6238 the app uses), and the recovery codes the
 * console handed out. Codes are single use: an app shows one code per 30 s step, so a second
 * sign-in within a step takes the next step's code (accepted within the drift window) or, past
 * that, a recovery code.
 */
import { generate } from "otplib";

export class Authenticator {
  private lastStep = 0;
  recoveryCodes: string[] = [];

  constructor(readonly secret: string) {}

  /** A code not used before: this step's, else the next step's; undefined when both are used. */
  async nextCode(now = new Date()): Promise<string | undefined> {
    const step = Math.floor(now.getTime() / 30_000);
    for (const candidate of [step, step + 1]) {
      if (candidate <= this.lastStep) continue;
      this.lastStep = candidate;
      return generate({ secret: this.secret, epoch: candidate * 30 });
    }
    return undefined;
  }

  /** A code for a given step (tests of replay and drift). */
  codeAt(epochSeconds: number): Promise<string> {
    return generate({ secret: this.secret, epoch: epochSeconds });
  }
}

/** The key shown on the enrolment screen (`data-testid="totp-secret"`). */
export function secretFromEnrolmentPage(html: string): string {
  const match = /data-testid="totp-secret"[^>]*>([A-Z2-7]+)</.exec(html);
  if (!match?.[1]) throw new Error("no enrolment key on the page");
  return match[1];
}
