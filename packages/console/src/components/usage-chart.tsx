import type { Usage } from "@tokenspace/sdk";
import { absoluteTime } from "../format.js";

const WIDTH = 720;
const HEIGHT = 120;
/** Room under the bars for the day labels. */
const AXIS = 18;

/**
 * Verifications per bucket as stacked bars (allowed under refused), drawn as plain SVG: a
 * chart library would outweigh the whole console. The figures are also in the accessible name
 * and in each bar's tooltip.
 */
export function UsageChart({ usage }: { usage: Usage }) {
  const { buckets } = usage;
  const busiest = Math.max(0, ...buckets.map((bucket) => bucket.allowed + bucket.refused));
  const most = Math.max(1, busiest);
  const slot = WIDTH / Math.max(1, buckets.length);
  const barWidth = Math.max(1, slot * 0.8);
  const scale = (HEIGHT - AXIS) / most;
  const days = buckets.filter((bucket) => bucket.start.endsWith("T00:00:00.000Z"));
  return (
    <figure class="usage-chart">
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={`${usage.allowed} allowed and ${usage.refused} refused verifications since ${absoluteTime(usage.since)}, by the ${usage.granularity}; the busiest ${usage.granularity} had ${busiest}.`}
      >
        {buckets.map((bucket, index) => {
          const allowedHeight = bucket.allowed * scale;
          const refusedHeight = bucket.refused * scale;
          const x = index * slot;
          const base = HEIGHT - AXIS;
          return (
            <g key={bucket.start}>
              <title>{`${absoluteTime(bucket.start)}: ${bucket.allowed} allowed, ${bucket.refused} refused`}</title>
              <rect
                class="allowed"
                x={x}
                y={base - allowedHeight}
                width={barWidth}
                height={allowedHeight}
              />
              <rect
                class="refused"
                x={x}
                y={base - allowedHeight - refusedHeight}
                width={barWidth}
                height={refusedHeight}
              />
            </g>
          );
        })}
        <line class="axis" x1={0} x2={WIDTH} y1={HEIGHT - AXIS} y2={HEIGHT - AXIS} />
        {days.map((bucket) => (
          <text key={bucket.start} x={buckets.indexOf(bucket) * slot} y={HEIGHT - 4} class="day">
            {new Date(bucket.start).toLocaleDateString(undefined, {
              weekday: "short",
              timeZone: "UTC",
            })}
          </text>
        ))}
      </svg>
      <figcaption>
        <span class="swatch allowed" aria-hidden="true" /> {usage.allowed} allowed{" "}
        <span class="swatch refused" aria-hidden="true" /> {usage.refused} refused
      </figcaption>
    </figure>
  );
}
