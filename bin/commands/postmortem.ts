/** `herald postmortem …`: draft a postmortem from the template, edit it from a file, publish it. */
import { readFile } from "node:fs/promises";
import { noMoreArgs, requireArg } from "../arguments.ts";
import { ApiError, type ApiResponse, type PostmortemJson } from "../client.ts";
import { CliError, show, UsageError, type Command, type CommandGroup, type Ctx } from "../command.ts";
import * as fmt from "../format.ts";

/** `--file F` (`-` = stdin), else stdin when something is piped; a usage error otherwise. */
async function readBodyText(ctx: Ctx): Promise<string> {
  const file = ctx.values.file;
  const text = file !== undefined && file !== "-" ? await readLocalFile(file, "--file") : await ctx.io.stdin();
  if (text === null) throw new UsageError("give the postmortem text with --file FILE, or pipe it on stdin");
  if (text.trim() === "") throw new UsageError("the postmortem text is empty");
  return text;
}

async function readLocalFile(path: string, option: string): Promise<string> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    throw new CliError(`cannot read ${option} ${path}: ${(error as NodeJS.ErrnoException)?.code ?? (error as Error)?.message}`);
  }
}

/** `--action-items F`: a JSON array of {description, owner?, due_date?, done?} (Herald checks each field). */
async function actionItemsOption(ctx: Ctx): Promise<{ action_items?: unknown[] }> {
  const file = ctx.values["action-items"];
  if (file === undefined) return {};
  let items: unknown;
  try {
    items = JSON.parse(await readLocalFile(file, "--action-items"));
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new UsageError(`--action-items ${file} is not JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(items)) throw new UsageError('--action-items takes a JSON array, e.g. [{"description": "Add pool alerts", "owner": "@bob", "due_date": "2024-01-18"}]');
  return { action_items: items };
}

/** A GET that may answer 404 (nothing there yet): null instead of an error. */
async function orNull<T>(request: Promise<ApiResponse<T>>): Promise<T | null> {
  try {
    return (await request).data;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

const commands: Command[] = [
  {
    name: "postmortem init",
    synopsis: "ID [--force]",
    summary: "Save a postmortem draft from the blameless postmortem template, pre-filled with the incident's date, duration, severity, timeline and response times. --force replaces an existing draft.",
    example: "herald postmortem init h3k2m4n5p6q7",
    options: ["force"],
    api: true,
    async run(ctx) {
      const id = requireArg(ctx, 0, "incident id (see: herald incident list)");
      noMoreArgs(ctx, 1);
      const client = ctx.client();
      // The template first: it answers 404 for an unknown incident or a maintenance.
      const { data: template } = await client.getPostmortemTemplate(id);
      const existing = await orNull(client.getPostmortem(id));
      if (existing?.status === "published") {
        throw new CliError(`incident ${id} already has a published postmortem; change it with: herald postmortem edit ${id} --file FILE`);
      }
      if (existing && !ctx.values.force) {
        throw new CliError(`incident ${id} already has a postmortem draft (edited ${fmt.formatTime(existing.updated_at)}); add --force to replace it with a fresh template`);
      }
      const response = await client.putPostmortem(id, { body: template.body });
      show(ctx, response, () => [
        `Saved a postmortem draft for incident ${id} from the template (${template.body.split("\n").length} lines).`,
        `Edit it: herald postmortem show ${id} > postmortem.md, then herald postmortem edit ${id} --file postmortem.md`,
      ]);
    },
  },
  {
    name: "postmortem show",
    synopsis: "ID",
    summary: "Print the postmortem's Markdown on stdout (its state and action items go to stderr), so it can be saved, edited and sent back.",
    example: "herald postmortem show h3k2m4n5p6q7 > postmortem.md",
    options: [],
    api: true,
    async run(ctx) {
      const id = requireArg(ctx, 0, "incident id (see: herald incident list)");
      noMoreArgs(ctx, 1);
      const response = await ctx.client().getPostmortem(id);
      if (ctx.values.json) return ctx.print(JSON.stringify(response.data, null, 2));
      ctx.io.err(fmt.postmortemHeader(response.data).join("\n"));
      ctx.print(response.data.body.replace(/\n$/, ""));
    },
  },
  {
    name: "postmortem edit",
    synopsis: "ID [--file FILE | < FILE] [--action-items JSON_FILE]",
    summary: "Replace the postmortem's text (from --file, or stdin) and, with --action-items, its whole list of action items. A published postmortem changes on the page at once.",
    example: "herald postmortem edit h3k2m4n5p6q7 --file postmortem.md --action-items actions.json",
    options: ["file", "action-items"],
    api: true,
    async run(ctx) {
      const id = requireArg(ctx, 0, "incident id (see: herald incident list)");
      noMoreArgs(ctx, 1);
      const body = await readBodyText(ctx);
      const response = await ctx.client().putPostmortem(id, { body, ...(await actionItemsOption(ctx)) });
      show(ctx, response, (p: PostmortemJson) => [
        p.status === "published"
          ? `Updated the published postmortem of incident ${id}; the page shows it now (subscribers are not mailed again).`
          : `Saved the postmortem draft of incident ${id}. Publish it with: herald postmortem publish ${id} [--notify]`,
        ...fmt.actionItemLines(p),
      ]);
    },
  },
  {
    name: "postmortem publish",
    synopsis: "ID [--notify] [--force]",
    summary: "Publish the postmortem of a resolved incident on the page, feeds and JSON; --notify also mails it to subscribers (once). Refused while the template's prompts are still in it, unless --force.",
    example: "herald postmortem publish h3k2m4n5p6q7 --notify",
    options: ["notify", "force"],
    api: true,
    async run(ctx) {
      const id = requireArg(ctx, 0, "incident id (see: herald incident list)");
      noMoreArgs(ctx, 1);
      let response: ApiResponse<PostmortemJson>;
      try {
        response = await ctx.client().publishPostmortem(id, { notify_subscribers: ctx.values.notify ?? false, ...(ctx.values.force ? { force: true } : {}) });
      } catch (error) {
        throw publishAdvice(error, id);
      }
      show(ctx, response, (p) => fmt.publishedLines(p, ctx.values.notify ?? false));
    },
  },
];

/** What to do next when a publish is refused for a reason the CLI can name a command for. */
function publishAdvice(error: unknown, id: string): unknown {
  if (!(error instanceof ApiError)) return error;
  const body = error.body as { title?: string; prompts_left?: unknown } | null;
  if (error.status === 409 && body?.title === "No Postmortem Draft") {
    return new CliError(`incident ${id} has no postmortem yet; start one from the template with: herald postmortem init ${id}`);
  }
  if (error.status === 422 && Array.isArray(body?.prompts_left)) {
    const left = body.prompts_left as string[];
    return new CliError(
      [
        `the postmortem of incident ${id} still holds ${left.length} of the template's prompts, which customers would read:`,
        ...left.map((p) => `  ${p}`),
        `replace them (herald postmortem show ${id} > postmortem.md, edit, herald postmortem edit ${id} --file postmortem.md), or publish anyway with --force`,
      ].join("\n"),
    );
  }
  return error;
}

export const postmortemCommands: CommandGroup = { word: "postmortem", title: "Postmortems", commands };
