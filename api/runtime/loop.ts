/**
 * Runs a step over and over in the background. The step says how long to wait before the next
 * one (0: at once); `poke()` cuts a wait short, e.g. right after new mail was committed. A step
 * that throws (the database briefly busy or down) is reported and retried after `errorWaitMs()`:
 * a background sender must never die of a passing fault.
 */
export class BackgroundLoop {
  private readonly step: () => Promise<number>;
  private readonly onError: (error: unknown) => void;
  private readonly errorWaitMs: () => number;
  private running = false;
  private loop: Promise<void> | null = null;
  private wake: (() => void) | null = null;

  constructor(step: () => Promise<number>, options: { onError: (error: unknown) => void; errorWaitMs: () => number }) {
    this.step = step;
    this.onError = options.onError;
    this.errorWaitMs = options.errorWaitMs;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Lets the current step finish, then stops. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
    this.loop = null;
  }

  poke(): void {
    this.wake?.();
  }

  private async run(): Promise<void> {
    while (this.running) {
      let waitMs: number;
      try {
        waitMs = await this.step();
      } catch (error) {
        this.onError(error);
        waitMs = this.errorWaitMs();
      }
      if (waitMs > 0 && this.running) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, waitMs);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.wake = null;
      }
    }
  }
}
