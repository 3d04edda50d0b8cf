/**
 * A server action is a public POST endpoint: Next.js decodes whatever arguments the client
 * encoded (a string, an object, a Map, nothing) and hands them over, whatever the TypeScript
 * signature says. Every action that reads a form checks that it got one before reading it.
 */
export function isFormData(value: unknown): value is FormData {
  return value instanceof FormData;
}
