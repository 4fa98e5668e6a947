/**
 * Node's publisher: the real Publisher runs in a worker thread (api/runtime/publish-thread.ts), so
 * a publish — snapshot reads, Astro rendering, compression, writing the manifest — never waits in
 * line with the requests the serving thread answers. This side forwards changes, answers idle(),
 * and applies each commit to the serving thread's PublishedSite in one synchronous step.
 */
import { Worker } from "node:worker_threads";
import type { ChangeEvent } from "../app-deps.ts";
import type { PageInfo } from "../../site/lib/snapshot.ts";
import type { PublishReport, SitePublisher } from "../../site/publish/publisher.ts";
import type { PublishedSite, SiteCommit } from "../../site/publish/store.ts";

export interface PublisherThreadData {
  databaseUrl: string;
  databaseAuthToken?: string | undefined;
  publicDir: string;
  siteDist?: string | undefined;
  page: Omit<PageInfo, "updatedAt">;
}

export type ToPublisher =
  | { type: "notify"; event: ChangeEvent }
  | { type: "refresh" }
  | { type: "publishAll" }
  | { type: "applied" }
  | { type: "idle"; id: number }
  | { type: "stop" };

export type FromPublisher =
  | { type: "ready" }
  | { type: "log"; line: string }
  | { type: "committed"; commit: SiteCommit }
  | { type: "idle"; id: number; report: PublishReport | null; error: string | null }
  | { type: "stopped" };

export class ThreadPublisher implements SitePublisher {
  lastReport: PublishReport | null = null;
  lastError: string | null = null;
  private worker!: Worker;
  private nextId = 0;
  private readonly waiting = new Map<number, () => void>();
  private stopped: Promise<void> | null = null;
  private readonly site: PublishedSite;
  private readonly log: (line: string) => void;

  private readonly data: PublisherThreadData;
  /** Messages sent while a dead thread is being replaced: the new one gets them. */
  private backlog: ToPublisher[] | null = null;

  constructor(options: { data: PublisherThreadData; site: PublishedSite; log: (line: string) => void }) {
    this.site = options.site;
    this.log = options.log;
    this.data = options.data;
    this.worker = this.start();
  }

  /**
   * Starts the thread. Should it die (a bug, memory), a new one is started and publishes
   * everything: the changes the dead one had queued are not known here, and a page that stopped
   * following the incident would be worse than one long publish.
   */
  private start(): Worker {
    const worker = new Worker(new URL("./publish-thread.ts", import.meta.url), { workerData: this.data });
    worker.on("message", (message: FromPublisher) => this.receive(message));
    worker.on("error", (error) => this.log(`publishing thread failed: ${(error as Error)?.stack ?? String(error)}`));
    worker.on("exit", (code) => {
      // Nothing will answer them any more: let waiters go rather than hang.
      for (const resolve of this.waiting.values()) resolve();
      this.waiting.clear();
      if (this.stopped) return;
      this.log(`publishing thread exited (code ${code}); starting a new one, which publishes everything`);
      this.backlog = [];
      setTimeout(() => {
        if (this.stopped) return;
        this.worker = this.start();
        for (const message of [{ type: "publishAll" } as ToPublisher, ...(this.backlog ?? [])]) this.worker.postMessage(message);
        this.backlog = null;
      }, 1000).unref();
    });
    return worker;
  }

  private receive(message: FromPublisher): void {
    switch (message.type) {
      case "committed":
        this.site.apply(message.commit);
        this.worker.postMessage({ type: "applied" } satisfies ToPublisher);
        return;
      case "log":
        return this.log(message.line);
      case "idle": {
        this.lastReport = message.report;
        this.lastError = message.error;
        const resolve = this.waiting.get(message.id);
        this.waiting.delete(message.id);
        resolve?.();
        return;
      }
      default:
        return;
    }
  }

  private send(message: ToPublisher): void {
    if (this.stopped) return;
    if (this.backlog) this.backlog.push(message);
    else this.worker.postMessage(message);
  }

  notify(event: ChangeEvent): void {
    this.send({ type: "notify", event });
  }

  publishAll(): void {
    this.send({ type: "publishAll" });
  }

  refresh(): void {
    this.send({ type: "refresh" });
  }

  idle(): Promise<void> {
    if (this.stopped) return this.stopped;
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.send({ type: "idle", id });
    });
  }

  stop(): void {
    if (this.stopped) return;
    if (this.backlog) {
      // Its thread died and the new one is not started yet: nothing to stop.
      this.stopped = Promise.resolve();
      return;
    }
    this.worker.postMessage({ type: "stop" } satisfies ToPublisher);
    this.stopped = new Promise<void>((resolve) => {
      const done = (message: FromPublisher) => {
        if (message.type !== "stopped") return;
        this.worker.off("message", done);
        void this.worker.terminate().then(() => resolve());
      };
      this.worker.on("message", done);
      this.worker.once("exit", () => resolve());
    });
  }
}
