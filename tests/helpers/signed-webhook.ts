/** A vendor's webhook as it arrives: a JSON body (or raw text) and the headers that sign it. */
export function signedJson(
  payload: Record<string, unknown> | string,
  sign: (body: string) => Record<string, string>,
): { body: string; headers: Record<string, string> } {
  const body = typeof payload === "string" ? payload : JSON.stringify(payload);
  return { body, headers: { "content-type": "application/json", ...sign(body) } };
}
