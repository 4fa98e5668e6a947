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

// Objects a commit dropped are deleted only once the serving thread has taken in every commit so
// far: until then it may still be serving them.
let applied = 0;
const whenApplied: (() => void)[] = [];
const allApplied = () => (applied >= site.commits ? Promise.resolve() : new Promise<void>((resolve) => whenApplied.push(resolve)));
const site: PublishedSite = new PublishedSite(data.publicDir, { onCommit: (commit) => post({ type: "committed", commit }), beforeRemoving: allApplied });

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
      if (++applied >= site.commits) for (const resolve of whenApplied.splice(0)) resolve();
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
