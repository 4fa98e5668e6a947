/**
 * A full publish's other cores (Node): short-lived threads that render incident and archive pages
 * beside the publish — jobs taken from a counter shared with it, each thread with its own libSQL connection
 * and Astro renderer — and store them as objects of the same published directory; the publish
 * adopts their entries (site/publish/publisher.ts PageHelper). Started for one full
 * publish and ended with it, so they hold no memory between the rare full publishes (a new build,
 * an import).
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { HelperJobs, PageHelper } from "../../site/publish/publisher.ts";
import type { PublishedEntry } from "../../site/publish/manifest.ts";

export interface PageHelperData {
  databaseUrl: string;
  databaseAuthToken?: string | undefined;
  publicDir: string;
  siteDist?: string | undefined;
}

export type FromPageHelper = { type: "done"; entries: Array<[string, PublishedEntry]> } | { type: "failed"; message: string };

/** Threads beside the publish: one per spare core, at most three (each holds a renderer's memory while it runs). */
const MOST_THREADS = 3;

/** A helper when this machine has a core to spare; none on one core, where it would only add a renderer's memory. */
export function pageHelper(data: PageHelperData, cores = availableParallelism()): PageHelper | undefined {
  const threads = Math.min(cores - 1, MOST_THREADS);
  if (threads < 1) return undefined;
  return {
    async pages(job) {
      const shares = await Promise.all(Array.from({ length: threads }, () => runThread(data, job)));
      return shares.flat();
    },
  };
}

function runThread(data: PageHelperData, job: HelperJobs): Promise<Array<[string, PublishedEntry]>> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL("./page-helper-thread.ts", import.meta.url), { workerData: data });
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      fn();
      void worker.terminate();
    };
    worker.on("message", (message: FromPageHelper) => settle(() => (message.type === "done" ? resolve(message.entries) : reject(new Error(message.message)))));
    worker.on("error", (error) => settle(() => reject(error)));
    worker.on("exit", (code) => settle(() => reject(new Error(`page helper exited (code ${code}) before it finished`))));
    worker.postMessage(job);
  });
}
