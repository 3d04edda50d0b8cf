"use client";

import { ErrorScreen } from "../_components/error-screen";

/** A trader screen that failed: the words come from app/inapp/layout.tsx. */
export default ErrorScreen;
