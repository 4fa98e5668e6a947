/**
 * How much the machine's cores compute together: the same CPU-bound work on one thread, then on
 * one thread per reported core at once. On a shared VM, "2 cores" may compute little more than
 * one — then goals that assume a spare core for the publisher, wrk or the writers cannot be read
 * off this machine's figures, and this line says so beside them.
 */
import { availableParallelism } from "node:os";
import { isMainThread, parentPort, Worker } from "node:worker_threads";

function spin(): number {
  let x = 0;
  for (let i = 0; i < 1e8; i++) x = (x + i * 7) % 1000003;
  return x;
}

if (!isMainThread) {
  spin();
  parentPort!.postMessage("done");
}

export async function benchMachine(): Promise<void> {
  const cores = availableParallelism();
  let t = performance.now();
  spin();
  const one = performance.now() - t;
  t = performance.now();
  await Promise.all(
    Array.from({ length: cores }, () => new Promise<void>((resolve, reject) => {
      const worker = new Worker(new URL(import.meta.url));
      worker.once("message", () => void worker.terminate().then(() => resolve()));
      worker.once("error", reject);
    })),
  );
  const all = performance.now() - t;
  const capacity = (cores * one) / all;
  console.log(`machine: ${cores} cores reported; one thread's CPU-bound work ${one.toFixed(0)} ms, ${cores} at once ${all.toFixed(0)} ms → they compute as ${capacity.toFixed(2)} cores`);
}
