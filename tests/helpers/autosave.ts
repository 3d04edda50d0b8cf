/**
 * A step form's autosave as its script sends it (app/inapp/_components/use-autosave.tsx): the
 * form's fields as JSON, the window reference from its hidden field in the header, from our own
 * page. Run it in the trader's request scope (their cookie).
 */
import { POST as autosaveRoute } from "@/app/api/inapp/autosave/route";
import { AUTOSAVE_PATH } from "@/lib/inapp/autosave-contract";
import { WINDOW_FIELD, WINDOW_HEADER } from "@/lib/inapp/window-ref";

export type AutosaveReply = { http: number } & Record<string, unknown>;

export function autosaveRequest(
  form: FormData,
  headers: Record<string, string> = {},
  body: string = JSON.stringify({ fields: [...form].map(([k, v]) => [k, String(v)]) }),
): Request {
  const window = form.get(WINDOW_FIELD);
  return new Request(`https://broker.test${AUTOSAVE_PATH}`, {
    method: "POST",
    headers: {
      host: "broker.test",
      origin: "https://broker.test",
      "sec-fetch-site": "same-origin",
      "content-type": "application/json",
      ...(typeof window === "string" && { [WINDOW_HEADER]: window }),
      ...headers,
    },
    body,
  });
}

/** The HTTP status and the JSON answer (a refusal's `reason` included). */
export async function postAutosave(
  form: FormData,
  headers: Record<string, string> = {},
): Promise<AutosaveReply> {
  const response = await autosaveRoute(autosaveRequest(form, headers));
  return { http: response.status, ...((await response.json()) as Record<string, unknown>) };
}
