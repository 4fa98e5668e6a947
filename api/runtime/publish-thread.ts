/**
 * The publishing thread (Node): its own libSQL connection, its own view of the published directory
 * and the Astro renderer, so snapshot reads, rendering and compression never hold the event loop
 * that serves the page and the API. Driven by api/runtime/thread-publisher.ts through messages;
 * every commit is posted back so the serving thread's manifest follows without reading a file.
 */
import { parentPort, workerData } from "node:worker_threads";
import { connectNode } from "../../db/connect.ts";
import { loadSiteRenderer } from "../../site/render.ts";
import { Publisher } from "../../site/publish/publisher.ts";
import { PublishedSite } from "../../site/publish/store.ts";
import { pageHelper } from "./page-helper.ts";
import type { PublisherThreadData, ToPublisher, FromPublisher } from "./thread-publisher.ts";

const data = workerData as PublisherThreadData;
const port = parentPort!;
const post = (message: FromPublisher) => port.postMessage(message);

// A commit is garbage-collected only after the serving thread has taken it in (it may still be serving the old objects).
let applied: (() => void) | null = null;
const site = new PublishedSite(data.publicDir, { onCommit: (commit) => post({ type: "committed", commit }) });
const collectGarbage = site.collectGarbage.bind(site);
// The publisher awaits it, so no new publish writes objects while the old ones are collected.
site.collectGarbage = (() => new Promise<void>((resolve) => (applied = resolve)).then(collectGarbage)) as unknown as () => number;

// The database was migrated by the serving thread before this one started.
const db = connectNode(data.databaseUrl, data.databaseAuthToken);
const renderer = await loadSiteRenderer(data.siteDist);
const helper = pageHelper({ databaseUrl: data.databaseUrl, databaseAuthToken: data.databaseAuthToken, publicDir: data.publicDir, siteDist: data.siteDist });
const publisher = new Publisher({ db, page: data.page, site, renderer, helper, clock: { now: () => new Date() }, log: (line) => post({ type: "log", line }) });

port.on("message", async (message: ToPublisher) => {
  switch (message.type) {
    case "notify":
      return publisher.notify(message.event);
    case "refresh":
      return publisher.refresh();
    case "publishAll":
      return publisher.publishAll();
    case "applied":
      applied?.();
      applied = null;
      return;
    case "idle":
      await publisher.idle();
      return post({ type: "idle", id: message.id, report: publisher.lastReport, error: publisher.lastError });
    case "stop":
      publisher.stop();
      await publisher.idle();
      db.close();
      return post({ type: "stopped" });
  }
});
post({ type: "ready" });
