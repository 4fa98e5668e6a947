/**
 * `herald import statuspage` at the size the issue names: 1,000 incidents with 20 updates each and
 * 50,000 email subscribers, from the local fake of Statuspage's API (test/fake-statuspage.ts,
 * without its rate limit: the real one allows 60 requests a minute, which alone would make ~520
 * requests take 9 minutes) into an embedded database — then the same import again, which must add
 * nothing. Goal: under a minute.
 */
import { StatuspageClient } from "../api/import/statuspage-client.ts";
import { importStatuspage } from "../api/import/statuspage.ts";
import { openNodeDatabase } from "../db/open-node.ts";
import { FakeStatuspage, statuspageFixture } from "../test/fake-statuspage.ts";
import { scratchDir } from "./lib.ts";

export async function benchImport(incidents = 1000, updatesEach = 20, subscribers = 50_000): Promise<void> {
  const dir = scratchDir("import");
  const fake = new FakeStatuspage(statuspageFixture({ incidents, updatesEach, subscribers }), { apiKey: "bench" });
  await fake.start();
  const { db } = await openNodeDatabase(`file:${dir}/herald.db`);
  try {
    const run = async () => {
      const client = new StatuspageClient({ pageId: "page00000001", apiKey: "bench", baseUrl: fake.url });
      const started = performance.now();
      const summary = await importStatuspage({ db, client, now: () => new Date(), timeZone: "Etc/UTC" });
      return { s: (performance.now() - started) / 1000, summary };
    };
    const first = await run();
    const second = await run();
    const count = async (table: string) => Number((await db.client.execute(`SELECT COUNT(*) AS n FROM ${table}`)).rows[0]!.n);
    const [rowsIncidents, rowsUpdates, rowsSubscribers] = [await count("incidents"), await count("incident_updates"), await count("subscribers")];
    console.log(
      `import[${incidents} incidents × ${updatesEach} updates, ${subscribers} subscribers]: first run ${first.s.toFixed(1)} s ` +
        `(${first.summary.incidents.added + first.summary.maintenances.added} incidents, ${first.summary.updates} updates, ${first.summary.subscribers.added} subscribers added; ${first.summary.requests} requests), ` +
        `second run ${second.s.toFixed(1)} s (${second.summary.incidents.added + second.summary.maintenances.added + second.summary.subscribers.added + second.summary.components.added} added); ` +
        `in the database: ${rowsIncidents} incidents, ${rowsUpdates} updates, ${rowsSubscribers} subscribers; goal: under 60 s`,
    );
    if (second.summary.incidents.added + second.summary.subscribers.added > 0) throw new Error("the second import added something");
  } finally {
    db.close();
    await fake.close();
  }
}
