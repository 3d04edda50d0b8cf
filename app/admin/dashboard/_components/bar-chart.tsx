export type Bar = { label: string; value: number; alert?: boolean };

const WIDTH = 560;
const ROW = 28;
const LABEL = 170;
const VALUE = 48;

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
}: {
  id: string;
  title: string;
  description: string;
  bars: readonly Bar[];
  unit?: string;
}) {
  const max = Math.max(1, ...bars.map((b) => b.value));
  const span = WIDTH - LABEL - VALUE;
  const height = Math.max(1, bars.length) * ROW + 8;
  return (
    <figure className="chart" data-testid={`chart-${id}`}>
      <svg
        role="img"
        aria-labelledby={`${id}-title ${id}-desc`}
        viewBox={`0 0 ${WIDTH} ${height}`}
        width="100%"
        preserveAspectRatio="xMinYMin meet"
      >
        <title id={`${id}-title`}>{title}</title>
        <desc id={`${id}-desc`}>{description}</desc>
        {bars.map((bar, i) => {
          const y = 4 + i * ROW;
          const w = bar.value === 0 ? 0 : Math.max(2, (bar.value / max) * span);
          return (
            <g key={bar.label}>
              <text
                x={LABEL - 8}
                y={y + ROW / 2 + 4}
                textAnchor="end"
                fontSize="13"
                fill="currentColor"
              >
                {bar.label}
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
    </figure>
  );
}
