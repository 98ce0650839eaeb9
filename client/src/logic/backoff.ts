// When to restart a crashed server: with growing delays, and not at all after too many crashes
// in a short time. Pure: the clock is passed in.

export interface RestartPolicyOptions {
  /** Restarts allowed inside the window. */
  maxRestarts: number;
  windowMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicyOptions = {
  maxRestarts: 5,
  windowMs: 3 * 60 * 1000,
  baseDelayMs: 500,
  maxDelayMs: 15 * 1000,
};

export type RestartDecision =
  | { restart: true; delayMs: number; attempt: number }
  | { restart: false; crashes: number; reason: string };

export class RestartPolicy {
  private crashes: number[] = [];

  constructor(private readonly options: RestartPolicyOptions = DEFAULT_RESTART_POLICY) {}

  /** Record a crash at 'now' (ms) and decide. */
  onCrash(now: number): RestartDecision {
    const since = now - this.options.windowMs;
    this.crashes = this.crashes.filter((time) => time > since);
    this.crashes.push(now);
    const count = this.crashes.length;
    if (count > this.options.maxRestarts) {
      const minutes = Math.round(this.options.windowMs / 60000);
      return {
        restart: false,
        crashes: count,
        reason: `the server crashed ${count} times in ${minutes} minute${minutes === 1 ? "" : "s"}`,
      };
    }
    const delayMs = Math.min(this.options.maxDelayMs, this.options.baseDelayMs * 2 ** (count - 1));
    return { restart: true, delayMs, attempt: count };
  }

  /** A deliberate (re)start by the user or a settings change forgets earlier crashes. */
  reset(): void {
    this.crashes = [];
  }

  get recentCrashes(): number {
    return this.crashes.length;
  }
}
