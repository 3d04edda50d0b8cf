export type Bar = { key: string; label: string; value: number; alert?: boolean };

const WIDTH = 560;
const ROW = 28;
const LABEL = 170;
const VALUE = 48;

/** A label cut to fit the space left of the bars (the table and the description have it whole). */
function short(label: string): string {
  return label.length > 24 ? `${label.slice(0, 23)}…` : label;
}

/**
 * A horizontal bar chart drawn on the server: the SVG is named by its title and described in
 * words for screen readers, and the same numbers follow in a table.
 */
export function BarChart({
  id,
  title,
  description,
  bars,
  unit = "",
  countLabel,
  table = true,
}: {
  id: string;
  title: string;
  description: string;
  bars: readonly Bar[];
  unit?: string;
  /** The table's heading over the numbers, in the officer's language. */
  countLabel: string;
  /** A table of the same numbers after the chart; off where the section has a richer one. */
  table?: boolean;
}) {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const span = WIDTH - LABEL - VALUE;
  const height = Math.max(1, bars.length) * ROW + 8;
  return (
    <figure className="chart" data-testid={`chart-${id}`}>
      <svg
        role="img"
        aria-labelledby={`chart-${id}-title chart-${id}-desc`}
        viewBox={`0 0 ${WIDTH} ${height}`}
        width={WIDTH}
        height={height}
        className="chart-svg"
        // The drawing is laid out left to right in every language (bars grow rightwards, labels
        // end at the bars); an Arabic label is still shaped right to left inside its own run.
        direction="ltr"
      >
        <title id={`chart-${id}-title`}>{title}</title>
        <desc id={`chart-${id}-desc`}>{description}</desc>
        {bars.map((bar, i) => {
          const y = 4 + i * ROW;
          const w = bar.value === 0 ? 0 : Math.max(2, (bar.value / max) * span);
          return (
            <g key={bar.key}>
              <text
                x={LABEL - 8}
                y={y + ROW / 2 + 4}
                textAnchor="end"
                fontSize="13"
                fill="currentColor"
              >
                {short(bar.label)}
              </text>
              <rect
                x={LABEL}
                y={y + 4}
                width={w}
                height={ROW - 8}
                rx="2"
                fill={bar.alert ? "#b3261e" : "#2a5db0"}
              />
              <text x={LABEL + w + 6} y={y + ROW / 2 + 4} fontSize="13" fill="currentColor">
                {bar.value}
                {unit}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption className="muted">{description}</figcaption>
      {table ? (
        <table className="queue">
          <thead>
            <tr>
              <th scope="col">{title}</th>
              <th scope="col">{countLabel}</th>
            </tr>
          </thead>
          <tbody>
            {bars.map((bar) => (
              <tr key={bar.key} data-bar={bar.key}>
                <th scope="row">{bar.label}</th>
                <td>{bar.value}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </figure>
  );
}
