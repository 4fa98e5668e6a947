/** How the console shows a preview: what the page, the mail, the feeds and the team channel will say. */
import { escapeHtml } from "../../templates/markdown.ts";
import type { ConsoleContext } from "./context.ts";
import { para } from "./pages.ts";
import type { IncidentPreview } from "./preview-types.ts";

export /** What the page, the mail, the feeds and the team channel will say, before anything is posted. */
function previewSection(preview: IncidentPreview): string {
  const mail = preview.notify
    ? `<p><strong>Subject:</strong> ${escapeHtml(preview.mail.subject)}</p><pre class="pv-text">${escapeHtml(preview.mail.text)}</pre>`
    : para("Subscribers will not be told of this update (notify is off).");
  const team = preview.team === null ? para("No team channel is set up (SLACK_WEBHOOK_URL).") : `<pre class="pv-text">${escapeHtml(preview.team)}</pre>`;
  return `<section class="preview" aria-labelledby="pv"><h2 id="pv">Preview: nothing is posted yet</h2>
<h3>On the status page</h3><div class="pv-page">${preview.page}</div>
<h3>The e-mail to subscribers</h3>${mail}
<h3>In the RSS and Atom feeds</h3><p><strong>${escapeHtml(preview.feed.title)}</strong></p><div class="md">${preview.feed.description}</div>
<h3>In the team channel</h3>${team}
<p>Post it with the button below the form, or change the form and preview again.</p></section>`;
}

/** A write form's buttons: Preview first, so Enter in a field previews rather than posts. */
export const buttons = (ctx: ConsoleContext, post: string): string =>
  `<p class="actions">${ctx.deps.preview ? `<button type="submit" name="action" value="preview">Preview</button> ` : ""}<button type="submit" name="action" value="post">${escapeHtml(post)}</button></p>`;
