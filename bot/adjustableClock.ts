/**
 * The bot's clock in local mode: the real time plus an offset that `tid +2d` on the local page
 * moves forward, so a whole cycle (reminder, absence, feedback request) can be tried in minutes.
 * Every part of the bot reads this one clock, so they all agree on the moved time. The offset
 * lives in memory only: a restart is back on the real time.
 */
export interface AdjustableClock {
  now(): Date;
  /** Moves the time forward by `ms` and returns the new time. */
  advance(ms: number): Date;
  /** Back to the real time, which it returns. */
  reset(): Date;
}

export function createAdjustableClock(real: () => Date): AdjustableClock {
  let offsetMs = 0;
  const now = () => new Date(real().getTime() + offsetMs);
  return {
    now,
    advance(ms) {
      offsetMs += ms;
      return now();
    },
    reset() {
      offsetMs = 0;
      return now();
    },
  };
}
