const SLOT = "\u0000";

/**
 * A sentence with an e-mail address (or another left-to-right value) in it. The value is
 * isolated as left to right, so in Arabic it neither reorders around the words nor gets its
 * start cut off, and it breaks only where it would otherwise overflow the line.
 */
export function LtrValue({ message, value }: { message: (slot: string) => string; value: string }) {
  const [before = "", ...after] = message(SLOT).split(SLOT);
  return (
    <>
      {before}
      <bdi dir="ltr" className="ltr-value">
        {value}
      </bdi>
      {after.join(value)}
    </>
  );
}
