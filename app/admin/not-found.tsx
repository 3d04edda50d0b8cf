import Link from "next/link";

/** A case or page that does not exist, inside the console's own layout, with the way back. */
export default function AdminNotFound() {
  return (
    <section className="card" data-testid="admin-not-found">
      <h1>Not found</h1>
      <p>No case or page lives at this address. It may have been mistyped.</p>
      <Link href="/admin">Back to the queue</Link>
    </section>
  );
}
