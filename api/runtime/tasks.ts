/**
 * Background work as named steps, run by the scheduler the runtime chooses:
 *  - loops (Node): each task steps again after the wait its step returned; poke() cuts the
 *    waits of the delivery tasks short right after a write queued something;
 *  - a bounded drain (Workers: a cron run, or the tail of a request): each task is stepped while
 *    it says there is more to do now and time is left.
 * A step that throws (the database briefly busy or down) is logged and tried again later: a
 * background sender must never die of a passing fault.
 */
import { BackgroundLoop } from "./loop.ts";

export interface Task {
  name: string;
  /** One step; resolves to the milliseconds to wait before the next (0: there is more to do now). */
  step(): Promise<number>;
  /** Wait after a step that threw (default 1 s). */
  errorWaitMs?: number;
}

/** A task that does `work` every `everyMs` (a periodic check). */
export function every(name: string, everyMs: number, work: () => Promise<unknown>): Task {
  return { name, errorWaitMs: everyMs, step: async () => (await work(), everyMs) };
}

export interface Loops {
  /** Wakes every waiting loop now. */
  poke(): void;
  /** Lets each current step finish, then stops. */
  stop(): Promise<void>;
}

/** Runs each task in a loop of its own (Node). */
export function startLoops(tasks: readonly Task[], log: (line: string) => void): Loops {
  const loops = tasks.map((task) => {
    const loop = new BackgroundLoop(task.step, {
      onError: (error) => log(`${task.name}: step failed: ${(error as Error)?.message ?? String(error)}`),
      errorWaitMs: () => task.errorWaitMs ?? 1000,
    });
    loop.start();
    return loop;
  });
  return {
    poke: () => loops.forEach((loop) => loop.poke()),
    stop: async () => void (await Promise.all(loops.map((loop) => loop.stop()))),
  };
}

/** Steps each task in turn while it has more to do and `untilMs` (epoch ms) has not passed (Workers). */
export async function drainTasks(tasks: readonly Task[], untilMs: number, log: (line: string) => void): Promise<void> {
  for (const task of tasks) {
    try {
      while (Date.now() < untilMs && (await task.step()) === 0);
    } catch (error) {
      log(`${task.name}: ${(error as Error)?.message ?? String(error)} (retried on the next run)`);
    }
  }
}
