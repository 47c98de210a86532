/** Whole seconds from `fromMs` to `deadline` (never negative). */
export const secondsUntil = (deadline: string | number, nowMs: number): number => {
  const end = typeof deadline === 'number' ? deadline : Date.parse(deadline);
  return Math.max(0, Math.ceil((end - nowMs) / 1000));
};

/** Whole seconds since `since` (never negative). */
export const secondsSince = (since: string, nowMs: number): number =>
  Math.max(0, Math.floor((nowMs - Date.parse(since)) / 1000));

/** When the workflow stops waiting for the customer's choice. */
export const customerDeadline = (createdAt: string, customerSeconds: number): number =>
  Date.parse(createdAt) + customerSeconds * 1000;

/** `m:ss` for a countdown: 299 → `4:59`. */
export const formatCountdown = (seconds: number): string => {
  const s = Math.max(0, Math.floor(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};

/** A short age: `45s`, `2m 05s`, `1h 03m`. */
export const formatAge = (seconds: number): string => {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
};

export type AgeColour = 'green' | 'amber' | 'red';

/** A waiting order's stripe: green below 2 minutes, amber below 5, red after. */
export const ageColour = (seconds: number): AgeColour =>
  seconds < 120 ? 'green' : seconds < 300 ? 'amber' : 'red';

/** Fraction of a countdown left, 0..1, for a progress bar. */
export const fractionLeft = (secondsLeft: number, totalSeconds: number): number =>
  totalSeconds <= 0 ? 0 : Math.min(1, Math.max(0, secondsLeft / totalSeconds));
