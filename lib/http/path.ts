/**
 * Paths Next.js cannot route. Next decodes a dynamic segment (`[id]`, `[...key]`) with
 * `decodeURIComponent` before any route code runs; a malformed escape (`%`, `%ZZ`, the overlong
 * `%C0%AF`) throws a DecodeError there, which Next's router turns into a render of a `/400` page
 * the App Router does not have, and the request ends as a bare 500 with nothing of ours logged.
 * The proxy runs before that step, so it refuses such a path itself.
 */
export function isMalformedPath(pathname: string): boolean {
  if (!pathname.includes("%")) return false;
  for (const segment of pathname.split("/")) {
    try {
      decodeURIComponent(segment);
    } catch {
      return true;
    }
  }
  return false;
}
