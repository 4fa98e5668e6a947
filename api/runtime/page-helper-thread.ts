/** The page helper's thread (api/runtime/page-helper.ts): renders and stores one job's incident pages, posts their entries, and is ended. */
import { parentPort, workerData } from "node:worker_threads";
import { connectNode } from "../../db/connect.ts";
import { getIncidentsByIds } from "../../db/queries/incidents.ts";
import { loadSiteRenderer } from "../../site/render.ts";
import type { PublishedEntry } from "../../site/publish/manifest.ts";
import { claimChunk, incidentPage } from "../../site/publish/publisher.ts";
import { readConsistently } from "../../site/publish/snapshot.ts";
import { storeFile } from "../../site/publish/store.ts";
import type { FromPageHelper, PageHelperData, PageHelperJob } from "./page-helper.ts";

const data = workerData as PageHelperData;
const port = parentPort!;

port.once("message", async ({ chunks, claim, snapshot, at }: PageHelperJob) => {
  const db = connectNode(data.databaseUrl, data.databaseAuthToken);
  try {
    const renderer = await loadSiteRenderer(data.siteDist);
    const entries: Array<[string, PublishedEntry]> = [];
    await readConsistently(db, async (tx) => {
      for (let k = claimChunk(claim, chunks.length); k !== null; k = claimChunk(claim, chunks.length)) {
        for (const incident of await getIncidentsByIds(tx, chunks[k]!)) {
          const file = await incidentPage(renderer, snapshot, incident);
          entries.push([file.path, storeFile(data.publicDir, file, at)]);
        }
      }
    });
    port.postMessage({ type: "done", entries } satisfies FromPageHelper);
  } catch (error) {
    port.postMessage({ type: "failed", message: (error as Error)?.stack ?? String(error) } satisfies FromPageHelper);
  } finally {
    db.close();
  }
});
