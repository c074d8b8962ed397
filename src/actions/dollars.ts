/** Sums of float prices drift in the last digits (0.30000000000000004); nano-dollars are precision enough for a report. */
export function dollars (value: number): number {
  return Math.round(value * 1e9) / 1e9
}
