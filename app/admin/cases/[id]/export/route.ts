import { z } from "zod";
import { appendAuditEvent } from "@/lib/db/queries/audit";
import { jsonError } from "@/lib/http/json";
import { refusal } from "@/lib/inapp/api";
import { caseEvidence } from "@/lib/review/evidence";
import { getStaff } from "@/lib/staff/console";

export const runtime = "nodejs";

export async function GET(_request: Request, { params }: { params: Promise<{ id: string }> }) {
  try {
    const staff = await getStaff();
    if (!staff) return refusal(401, "unauthenticated", "sign in to the console");
    const { id } = await params;
    if (!z.uuid().safeParse(id).success) return refusal(404, "not_found");
    const evidence = await caseEvidence(id);
    await appendAuditEvent({
      actorType: "staff",
      actorId: staff.id,
      action: "case.evidence_exported",
      caseId: id,
    });
    return new Response(JSON.stringify(evidence, null, 2), {
      headers: {
        "Content-Type": "application/json; charset=utf-8",
        "Content-Disposition": `attachment; filename="case-${id}.json"`,
        "Cache-Control": "private, no-store",
      },
    });
  } catch (error) {
    return jsonError(error, "admin.export");
  }
}
