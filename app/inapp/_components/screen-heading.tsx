"use client";

import { useEffect, useRef } from "react";

/**
 * Whether the "Save and continue" just posted may lead to another screen. Module state, not React
 * state: the screen it leads to is rendered by the server and mounts a new heading, which must
 * know the trader arrived by that button, not by a link or a reload.
 */
let landing = false;

/** "Save and continue" is on its way: if the server moves on, the next screen's heading takes focus. */
export function expectSaveLanding() {
  landing = true;
}

/** The save came back to its own form (refused, or saved without moving on): no new screen. */
export function cancelSaveLanding() {
  landing = false;
}

/**
 * The screen's title. Reached by "Save and continue", it takes focus: the button the trader
 * pressed is gone with the form, so focus would fall back to the start of the page, and a screen
 * reader would not say where they are; on a phone the next screen opens at its top.
 */
export function ScreenHeading({ screen, children }: { screen: string; children: React.ReactNode }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (!landing) return;
    landing = false;
    heading.current?.focus();
  }, [screen]);
  return (
    <h1 ref={heading} tabIndex={-1}>
      {children}
    </h1>
  );
}
