/**
 * The Prometheus text exposition format (version 0.0.4), written by hand: a few gauges, one
 * counter and one histogram do not need a client library and its process-wide default registry
 * (which Next's separate bundles would each get a copy of). Names and label values are ours;
 * label values are escaped anyway, since destinations and list sources come from configuration.
 */
export const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export type Labels = Record<string, string>;
export type Sample = { labels?: Labels; value: number; suffix?: string };
export type Family = {
  name: string;
  help: string;
  type: "gauge" | "counter" | "histogram";
  samples: Sample[];
};

const escapeLabel = (value: string) =>
  value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
const escapeHelp = (value: string) => value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");

function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

function formatLabels(labels: Labels | undefined): string {
  const entries = Object.entries(labels ?? {});
  if (entries.length === 0) return "";
  return `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",")}}`;
}

export function formatMetrics(families: Family[]): string {
  const lines: string[] = [];
  for (const family of families) {
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`);
    lines.push(`# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples)
      lines.push(
        `${family.name}${sample.suffix ?? ""}${formatLabels(sample.labels)} ${formatValue(sample.value)}`,
      );
  }
  return `${lines.join("\n")}\n`;
}

/** A process-local histogram (cumulative buckets, sum, count), rendered as one family. */
export class Histogram {
  private readonly counts: number[];
  private sum = 0;
  private total = 0;

  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[],
  ) {
    this.counts = buckets.map(() => 0);
  }

  observe(value: number): void {
    this.sum += value;
    this.total++;
    this.buckets.forEach((bound, i) => {
      if (value <= bound) this.counts[i]!++;
    });
  }

  family(): Family {
    return {
      name: this.name,
      help: this.help,
      type: "histogram",
      samples: [
        ...this.buckets.map((bound, i) => ({
          suffix: "_bucket",
          labels: { le: String(bound) },
          value: this.counts[i]!,
        })),
        { suffix: "_bucket", labels: { le: "+Inf" }, value: this.total },
        { suffix: "_sum", value: this.sum },
        { suffix: "_count", value: this.total },
      ],
    };
  }
}
