/** A page helper's thread (api/runtime/page-helper.ts): renders and stores the jobs it takes of one full publish, posts their entries, and is ended. */
import { parentPort, workerData } from "node:worker_threads";
import { connectNode } from "../../db/connect.ts";
import { loadSiteRenderer } from "../../site/render.ts";
import type { PublishedEntry } from "../../site/publish/manifest.ts";
import { claimJob, renderJob, type HelperJobs } from "../../site/publish/publisher.ts";
import { readConsistently } from "../../site/publish/snapshot.ts";
import { storeFile } from "../../site/publish/store.ts";
import type { FromPageHelper, PageHelperData } from "./page-helper.ts";

const data = workerData as PageHelperData;
const port = parentPort!;

// The publish's jobs, with `claim` in memory shared with the publish and the other helpers.
port.once("message", async (jobs: HelperJobs) => {
  const db = connectNode(data.databaseUrl, data.databaseAuthToken);
  try {
    const renderer = await loadSiteRenderer(data.siteDist);
    const entries: Array<[string, PublishedEntry]> = [];
    await readConsistently(db, async (tx) => {
      const count = jobs.chunks.length + jobs.months.length;
      for (let k = claimJob(jobs.claim, count); k !== null; k = claimJob(jobs.claim, count)) {
        await renderJob(k, jobs, renderer, tx, async (file) => {
          entries.push([file.path, storeFile(data.publicDir, file, jobs.at)]);
        });
      }
    });
    port.postMessage({ type: "done", entries } satisfies FromPageHelper);
  } catch (error) {
    port.postMessage({ type: "failed", message: (error as Error)?.stack ?? String(error) } satisfies FromPageHelper);
  } finally {
    db.close();
  }
});
