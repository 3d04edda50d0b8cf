"use client";

import { ErrorScreen } from "../_components/error-screen";

/** A console page that failed (the database down, say): the words come from app/admin/layout.tsx. */
export default ErrorScreen;
