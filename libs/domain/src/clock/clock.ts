/**
 * The time of every decision the service makes: triage hours and durations, deadlines, escalation
 * steps, retries, retention. Service code asks this provider, never `new Date()`, so that a test
 * can run the whole service at another hour (the e2e suite runs once at 23:30 in Paris) without
 * sleeping. Signature timestamps exchanged with other systems and latency measurements stay on
 * the machine's clock: the other side checks them against its own.
 */
export abstract class Clock {
  abstract now(): Date;

  nowMs(): number {
    return this.now().getTime();
  }
}

/** The machine's clock: what every process runs with. */
export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}

/** The machine's clock moved by a fixed offset: it keeps running, `offsetMs` ahead (or behind). */
export class ShiftedClock extends Clock {
  constructor(readonly offsetMs: number) {
    super();
  }

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}
