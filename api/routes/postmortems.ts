/** Postmortems (incidents only; a maintenance id is a 404): read, draft from the template, save, publish. */
import { z } from "zod";
import { getIncident } from "../../db/queries/incidents.ts";
import { getPostmortem } from "../../db/queries/postmortems.ts";
import type { ChangeEvent } from "../app-deps.ts";
import { LIMITS, multiLine, singleLine } from "../schemas.ts";
import { postmortemJson } from "../serialize.ts";
import { draftPostmortem, postmortemIncident, publishPostmortem, readPostmortem, savePostmortemText } from "../service/postmortems.ts";
import { idParam, incidentIdParam, ResourceRoutes, type RouteContext } from "./kit.ts";

const ActionItemSchema = z.strictObject({
  description: singleLine("description", LIMITS.actionItem),
  owner: singleLine("owner", LIMITS.name).nullable().optional().describe("Who owns it, e.g. @alice."),
  due_date: z.iso.date("Must be a date, e.g. 2024-01-17.").nullable().optional(),
  done: z.boolean().optional().describe("Defaults to false."),
});

export const PostmortemSchema = z.strictObject({
  body: multiLine("body", LIMITS.postmortem).describe("Markdown shown to customers once published."),
  action_items: z
    .array(ActionItemSchema)
    .max(LIMITS.actionItems, `At most ${LIMITS.actionItems} action items.`)
    .optional()
    .describe("Replaces the whole list when given; left unchanged when omitted."),
});

export const PublishPostmortemSchema = z.strictObject({
  notify_subscribers: z.boolean().optional().describe("Mail the postmortem to subscribers (once per postmortem). Defaults to false."),
  force: z.boolean().optional().describe("Publish even though the template's prompts (\"_one sentence._\") are still in it. Defaults to false."),
});

export function postmortemRoutes({ db, config, page, write }: RouteContext): ResourceRoutes {
  const routes = new ResourceRoutes();

  routes.add({ method: "get", path: "/incidents/:id/postmortem", summary: "An incident's postmortem, draft or published", success: 200 }, async (c) => {
    return c.json(postmortemJson(await readPostmortem(db.client, await incidentIdParam(c, db.client, "incident"))));
  });

  routes.add(
    { method: "get", path: "/incidents/:id/postmortem/template", summary: "The seed's blameless postmortem template, pre-filled from the incident", success: 200 },
    async (c) => {
      const id = await incidentIdParam(c, db.client, "incident");
      await postmortemIncident(db.client, id);
      const incident = (await getIncident(db.client, id, "incident"))!;
      const actionItems = (await getPostmortem(db.client, id))?.actionItems ?? [];
      const body = await draftPostmortem(db.client, incident, { url: page.url, timeZone: config.page.timeZone }, actionItems);
      return c.json({ incident_id: id, body });
    },
  );

  routes.add(
    { method: "put", path: "/incidents/:id/postmortem", summary: "Save the postmortem (a draft until published; after that, the published text)", action: "postmortem:write", body: PostmortemSchema, success: 200 },
    async (c, body, raw) => {
      const id = await incidentIdParam(c, db.client, "incident");
      // A draft is not public: only an edit of a published postmortem republishes the incident's pages.
      const change = (result: unknown): ChangeEvent | null => ((result as { status: string }).status === "published" ? { type: "incident", id } : null);
      return write(c, raw, 200, change, async (ctx) => postmortemJson(await savePostmortemText(ctx, id, body)));
    },
  );

  routes.add(
    { method: "post", path: "/incidents/:id/postmortem/publish", summary: "Publish the postmortem of a resolved incident, optionally mailing subscribers", action: "postmortem:write", body: PublishPostmortemSchema, success: 200, rules: [
      { field: "body", rule: "The stored postmortem must not hold the template's prompts (listed in prompts_left), unless force is true." },
    ] },
    async (c, body, raw) => {
      const id = await incidentIdParam(c, db.client, "incident");
      return write(c, raw, 200, () => ({ type: "incident", id }), async (ctx) => {
        const { postmortem, enqueued } = await publishPostmortem(ctx, id, body, { showOwners: config.page.showOwners });
        return { ...postmortemJson(postmortem), notifications_enqueued: enqueued };
      });
    },
  );

  return routes;
}
