/**
 * Durations the config schema checks and the cost report prints: Go duration strings as
 * cluster-autoscaler takes them, and how long an EC2 GPU node takes to boot. A module of its own so
 * that config/schema.ts does not import lib/cost.ts, which imports the schema's Config type.
 */

/** Parses a Go duration such as "7m", "90s" or "1h30m" into minutes. */
export function durationMinutes(text: string): number {
  const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(text);
  if (!match || text === "") throw new Error(`not a duration: "${text}"`);
  return Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0) + Number(match[3] ?? 0) / 60;
}

/** Minutes from EC2 launch to a Ready GPU node with its GPUs advertised, before user data (estimate; see README). */
export const NODE_BOOT_MINUTES = { low: 2, high: 3.5 };
