import Link from "next/link";

/**
 * A link between the trader's screens. Never prefetched: every screen is dynamic (it reads the
 * session), so a prefetch is a full server render the trader may never use, and its fetch and
 * parse land on the phone's main thread while the screen is still loading (Lighthouse counted
 * them in Total Blocking Time). A click fetches the screen as usual.
 */
export function ScreenLink(props: Omit<React.ComponentProps<typeof Link>, "prefetch">) {
  return <Link {...props} prefetch={false} />;
}
