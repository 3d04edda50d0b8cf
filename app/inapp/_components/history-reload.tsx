"use client";

import { useEffect } from "react";

/**
 * The back and forward buttons (Android's back key in cTrader's webview) bring a screen back
 * from the router's memory as it was first rendered: a step form empty of what the trader has
 * saved since, carrying a draft version the server now refuses as stale. Such a step loads the
 * screen again, so it shows what the server holds. A step that changes only the hash (the skip
 * link) fires `hashchange` right after `popstate` and is left alone; the router's own entries
 * keep the same hash, so the wait is only for that event.
 */
const HASH_CHANGE_WAIT_MS = 50;

export function HistoryReload() {
  useEffect(() => {
    let pending: ReturnType<typeof setTimeout> | undefined;
    const onHistory = () => {
      clearTimeout(pending);
      pending = setTimeout(() => location.reload(), HASH_CHANGE_WAIT_MS);
    };
    const onHashChange = () => clearTimeout(pending);
    window.addEventListener("popstate", onHistory);
    window.addEventListener("hashchange", onHashChange);
    return () => {
      clearTimeout(pending);
      window.removeEventListener("popstate", onHistory);
      window.removeEventListener("hashchange", onHashChange);
    };
  }, []);
  return null;
}
