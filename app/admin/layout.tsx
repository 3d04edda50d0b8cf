import Link from "next/link";
import { getStaff } from "@/lib/staff/console";
import { logoutAction } from "./actions";

export const metadata = { title: "Compliance console", robots: { index: false, follow: false } };

/** The compliance console: English, desktop-first, never framed (CSP frame-ancestors 'none'). */
export default async function AdminLayout({ children }: { children: React.ReactNode }) {
  const staff = await getStaff();
  return (
    <div className="console">
      <header className="shell-header">
        <div className="brand">
          <strong>Compliance console</strong>
          <span>{staff ? `${staff.displayName} · ${staff.role}` : "Sign in"}</span>
        </div>
        {staff ? (
          <nav className="actions">
            <Link href="/admin">Queue</Link>
            {staff.role !== "reviewer" ? <Link href="/admin/dashboard">Dashboard</Link> : null}
            {staff.role === "admin" ? <Link href="/admin/deliveries">Deliveries</Link> : null}
            {staff.role === "admin" ? <Link href="/admin/staff">Accounts</Link> : null}
            {staff.role === "admin" ? <Link href="/admin/audit">Audit trail</Link> : null}
            {staff.role === "admin" ? <Link href="/admin/retention">Retention</Link> : null}
            <Link href="/admin/account">Your account</Link>
            <form action={logoutAction}>
              <button className="button secondary" type="submit">
                Sign out
              </button>
            </form>
          </nav>
        ) : null}
      </header>
      <main id="content">{children}</main>
    </div>
  );
}
