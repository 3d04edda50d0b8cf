/**
 * The reviewer's words to the trader. Staff write line breaks (a list of what to fix), so each
 * line is its own paragraph; the text is never parsed as HTML.
 */
export function ReviewerMessage({
  text,
  label,
  testId = "reviewer-message",
}: {
  text: string;
  label?: string;
  testId?: string;
}) {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
  return (
    <div className="reviewer-message" data-testid={testId}>
      {label ? <p className="muted">{label}</p> : null}
      {lines.map((line, i) => (
        <p key={i}>{line}</p>
      ))}
    </div>
  );
}
