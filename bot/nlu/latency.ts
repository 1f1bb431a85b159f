export interface LatencySummary {
  n: number;
  medianMs: number;
  p95Ms: number;
}

/** Median and 95th percentile (nearest rank) of per-call durations in milliseconds. */
export function summarizeLatency(durationsMs: readonly number[]): LatencySummary {
  const sorted = [...durationsMs].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)] ?? 0;
  return { n: sorted.length, medianMs: rank(0.5), p95Ms: rank(0.95) };
}

/** Wraps `fn` so each call's duration is appended to `durationsMs`. */
export function timed<A extends unknown[], R>(
  fn: (...args: A) => R,
  durationsMs: number[],
): (...args: A) => R {
  return (...args) => {
    const start = performance.now();
    const result = fn(...args);
    durationsMs.push(performance.now() - start);
    return result;
  };
}

export function formatLatency(label: string, { n, medianMs, p95Ms }: LatencySummary): string {
  return `${label}: median ${medianMs.toFixed(3)} ms, p95 ${p95Ms.toFixed(3)} ms per message (n=${n})`;
}
