/**
 * `herald import statuspage`: moves a Statuspage page into Herald's database (DATABASE_URL), as
 * `herald keys` does, so it runs before or beside a running Herald (see api/import/statuspage.ts).
 */
import { noMoreArgs, requireOption } from "../arguments.ts";
import { CliError, UsageError, type Command, type CommandGroup } from "../command.ts";

const commands: Command[] = [
  {
    name: "import statuspage",
    synopsis: "--page PAGE_ID --api-key KEY [--since YYYY-MM-DD] [--dry-run] [--base-url URL]",
    summary:
      "Import a Statuspage page into the local database: components and groups, incidents and maintenances with every update, published postmortems, and active email subscribers (told nothing). Run it again to add what is new; nothing is duplicated.",
    example: "herald import statuspage --page gytm4qzbx9t6 --api-key $STATUSPAGE_API_KEY --dry-run",
    options: ["page", "api-key", "since", "dry-run", "base-url"],
    api: false,
    async run(ctx) {
      noMoreArgs(ctx, 0);
      const pageId = requireOption(ctx.values, "page", "PAGE_ID (manage.statuspage.io → your page's id)");
      const apiKey = requireOption(ctx.values, "api-key", "KEY (manage.statuspage.io → API info)");
      const since = ctx.values.since;
      if (since !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(since)) throw new UsageError(`--since takes a day, YYYY-MM-DD; got "${since}"`);
      const dryRun = ctx.values["dry-run"] === true;
      const { StatuspageClient, StatuspageError } = await import("../../api/import/statuspage-client.ts");
      const { importStatuspage } = await import("../../api/import/statuspage.ts");
      const { withDatabase } = await import("../local-keys.ts");
      const client = new StatuspageClient({ pageId, apiKey, baseUrl: ctx.values["base-url"], log: (line) => ctx.io.err(line) });
      const started = Date.now();
      try {
        const summary = await withDatabase(ctx.database(), (db) =>
          importStatuspage({
            db, client, dryRun, now: () => new Date(), timeZone: ctx.env.PAGE_TIME_ZONE || "Etc/UTC",
            since: since ? `${since}T00:00:00.000Z` : undefined,
            progress: (line) => ctx.io.err(line),
          }),
        );
        if (ctx.values.json) return ctx.print(JSON.stringify(summary, null, 2));
        const verb = dryRun ? "would add" : "added";
        ctx.print([
          `${dryRun ? "Dry run: nothing was written. " : ""}Imported from Statuspage page "${summary.page.name}" (${pageId}) in ${((Date.now() - started) / 1000).toFixed(1)} s:`,
          `  components     ${summary.components.read} read, ${verb} ${summary.components.added}`,
          `  incidents      ${summary.incidents.read} read, ${verb} ${summary.incidents.added} (${summary.updates} updates, ${summary.postmortems} postmortems)`,
          `  maintenances   ${summary.maintenances.read} read, ${verb} ${summary.maintenances.added}`,
          `  subscribers    ${summary.subscribers.read} read, ${verb} ${summary.subscribers.added} (active, told nothing)`,
          `  ${summary.requests} requests to Statuspage${summary.rateLimitWaits > 0 ? `, ${summary.rateLimitWaits} waits for its rate limit` : ""}`,
          ...(!dryRun && summary.components.added + summary.incidents.added + summary.maintenances.added + summary.subscribers.added > 0
            ? ["A running Herald republishes the whole page within a minute (a starting one at once)."]
            : []),
        ]);
      } catch (error) {
        if (error instanceof StatuspageError) throw new CliError(error.message);
        throw error;
      }
    },
  },
];

export const importCommands: CommandGroup = { word: "import", title: "Moving from Statuspage", commands };
