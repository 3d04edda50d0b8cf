/**
 * `npm run staff:create -- --email a@b.c --name "Ada" --role reviewer` — creates a console
 * account and prints a generated password once (or reads one from STAFF_PASSWORD). With
 * `--reset`, sets a new password on an existing account; with `--reset-mfa`, removes its second
 * factor (a lost device and no recovery code left). Both end that person's sessions.
 * Approvers and admins (and reviewers unless STAFF_MFA_REVIEWERS=0) enrol an authenticator app
 * at their first sign-in.
 */
import { errorMessage } from "@/lib/errors";
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import { z } from "zod";
import { getDb } from "@/lib/db/client";
import { createStaffAccount, resetStaffMfaByEmail, resetStaffPassword } from "@/lib/staff/accounts";
import { mfaRequired } from "@/lib/staff/auth";

async function main() {
  const { values } = parseArgs({
    options: {
      email: { type: "string" },
      name: { type: "string" },
      role: { type: "string", default: "reviewer" },
      reset: { type: "boolean", default: false },
      "reset-mfa": { type: "boolean", default: false },
    },
  });
  const input = z
    .object({
      email: z.email(),
      name: z.string().min(1).max(100).optional(),
      role: z.enum(["reviewer", "approver", "admin"]),
      reset: z.boolean(),
      "reset-mfa": z.boolean(),
    })
    .parse(values);
  await getDb();
  if (input["reset-mfa"]) {
    await resetStaffMfaByEmail(input.email);
    console.log(
      `staff:create: second factor removed for ${input.email}; they enrol again at the next sign-in`,
    );
    process.exit(0);
  }
  const password = process.env.STAFF_PASSWORD || randomBytes(18).toString("base64url");
  if (input.reset) await resetStaffPassword(input.email, password);
  else await createStaffAccount({ ...input, password });
  console.log(
    `staff:create: ${input.reset ? "password reset for" : "created"} ${input.email} (${input.role})`,
  );
  if (!process.env.STAFF_PASSWORD) console.log(`password (shown once): ${password}`);
  if (!input.reset && mfaRequired(input.role))
    console.log("two-factor sign-in: an authenticator app is enrolled at the first sign-in");
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(`staff:create: ${errorMessage(error)}`);
  process.exit(1);
});
