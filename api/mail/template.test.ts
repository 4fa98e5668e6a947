import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { renderMarkdown, renderMarkdownToText } from "../../templates/markdown.ts";
import {
  loadCustomerNotice,
  loadPostmortemNotice,
  parseTemplate,
  PLACEHOLDERS,
  POSTMORTEM_PLACEHOLDERS,
  renderTemplate,
  TemplateError,
  type Placeholder,
} from "./template.ts";

const values: Record<Placeholder, string> = {
  status_tag: "[IDENTIFIED]",
  status: "Identified",
  kind: "Incident",
  incident_name: "API *down* for [EU] <all>",
  date: "Jan 15, 2024",
  posted_at: "Jan 15, 2024, 14:05 UTC",
  update_body: "We found it:\n\n- pool **exhausted**\n- scaling now",
  incident_url: "https://status.example.com/incidents/abc123def456",
  page_name: "Example",
  unsubscribe_url: "https://status.example.com/subscriptions/unsubscribe?token=abc.d_",
  summary: "",
  impact: "",
  root_cause: "",
  resolution: "",
  prevention: "",
  support_email: "",
};

describe("communication templates", () => {
  test("the shipped customer notice uses only known placeholders and fills every part", () => {
    const source = readFileSync(new URL("../../templates/customer-notice.md", import.meta.url), "utf8");
    for (const [, key] of source.matchAll(/\{\{\s*([a-z_]+)\s*\}\}/g)) expect(PLACEHOLDERS).toContain(key);
    const filled = renderTemplate(loadCustomerNotice(), values);
    expect(filled.subject).toBe("[IDENTIFIED] API *down* for [EU] <all> - Jan 15, 2024");
    // The update's words are exactly what the page shows.
    expect(filled.html).toContain(renderMarkdown(values.update_body));
    expect(filled.text).toContain(renderMarkdownToText(values.update_body));
  });

  test("a template's own placeholders read as typed; URLs survive whole; a newline inside its paragraph is a space", () => {
    const custom = parseTemplate(
      "Subject: {{status_tag}} {{incident_name}}\n\n**{{kind}}: {{incident_name}}** was updated\nat {{posted_at}}.\n\n{{update_body}}\n\nUnsubscribe: <{{unsubscribe_url}}>",
      "custom.md",
    );
    const filled = renderTemplate(custom, values);
    // Names read as typed, never as Markdown or HTML.
    expect(filled.html).toContain("API *down* for [EU] &lt;all&gt;");
    expect(filled.text).toContain("Incident: API *down* for [EU] <all>");
    // A URL ending in "_" survives whole (a bare autolink would trim it).
    expect(filled.html).toContain(`href="${values.unsubscribe_url}"`);
    expect(filled.text).toContain(`Unsubscribe: ${values.unsubscribe_url}`);
    // The template is prose: its line break mid-sentence is not a <br> (the update's own words keep theirs).
    expect(filled.html).toContain("was updated\nat ");
    expect(filled.html).not.toContain("was updated<br>");
    const typed = renderTemplate(custom, { ...values, update_body: "line one\nline two" });
    expect(typed.html).toContain("line one<br>");
  });

  test("an unknown placeholder is refused with the list of known ones", () => {
    expect(() => parseTemplate("Subject: {{status_tag}}\n\nHello {{customer_name}}", "t.md")).toThrow(TemplateError);
    expect(() => parseTemplate("Subject: x\n\nHello {{customer_name}}", "t.md")).toThrow(/unknown placeholder \{\{customer_name\}\}; known: \{\{status_tag\}\}/);
  });

  test("the body placeholder must stand on its own line, and the subject line must be there", () => {
    expect(() => parseTemplate("Subject: x\n\nSee: {{update_body}}", "t.md")).toThrow(/on a line of its own/);
    expect(() => parseTemplate("Subject: {{update_body}}\n\nx", "t.md")).toThrow(/cannot be in the subject/);
    expect(() => parseTemplate("Hello {{incident_name}}", "t.md")).toThrow(/must start with a "Subject: …" line/);
  });

  test("an editable template changes the words, not the safety", () => {
    const template = parseTemplate("Subject: {{status_tag}} {{incident_name}}\n\nHi from {{page_name}}.\n\n{{update_body}}\n", "custom.md");
    const filled = renderTemplate(template, { ...values, update_body: "<script>alert(1)</script>" });
    expect(filled.html).toBe("<p>Hi from Example.</p>\n<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>");
    expect(filled.text).toBe("Hi from Example.\n\n<script>alert(1)</script>\n");
  });

  test("the postmortem notice is checked the same way, against its own placeholders", () => {
    const source = readFileSync(new URL("../../templates/postmortem-notice.md", import.meta.url), "utf8");
    for (const [, key] of source.matchAll(/\{\{\s*([a-z_]+)\s*\}\}/g)) expect(POSTMORTEM_PLACEHOLDERS).toContain(key);
    const filled = renderTemplate(loadPostmortemNotice(), {
      incident_name: "API *down*", date: "Jan 15, 2024", published_at: "Jan 16, 2024 - 09:00 UTC",
      postmortem_body: "## Root Cause\n\n<script>x()</script>", incident_url: values.incident_url, page_name: "Example", unsubscribe_url: values.unsubscribe_url,
    });
    expect(filled.subject).toBe("[POSTMORTEM] API *down* - Jan 15, 2024");
    expect(filled.html).toContain(renderMarkdown("## Root Cause\n\n<script>x()</script>"));
    expect(filled.html).not.toContain("<script");
    // The update's placeholders mean nothing here, and a typo stops Herald at start.
    expect(() => parseTemplate("Subject: x\n\n{{update_body}}", "p.md", POSTMORTEM_PLACEHOLDERS)).toThrow(/unknown placeholder \{\{update_body\}\}; known: \{\{incident_name\}\}/);
    expect(() => parseTemplate("Subject: {{postmortem_body}}\n\nx", "p.md", POSTMORTEM_PLACEHOLDERS)).toThrow(/cannot be in the subject/);
    expect(() => parseTemplate("Subject: x\n\nSee {{postmortem_body}}", "p.md", POSTMORTEM_PLACEHOLDERS)).toThrow(/on a line of its own/);
  });
  test("a section is kept only when its placeholder has a value: never an empty heading", () => {
    const template = parseTemplate(
      "Subject: x\n\nHello.\n\n{{#impact}}\n**IMPACT:**\n\n{{impact}}\n{{/impact}}\n\n{{#support_email}}\nWrite to <{{support_email}}>.\n{{/support_email}}\n\nBye.",
      "t.md",
    );
    const without = renderTemplate(template, values);
    expect(without.html).toBe("<p>Hello.</p>\n<p>Bye.</p>");
    expect(without.text).not.toContain("IMPACT");
    const withBoth = renderTemplate(template, { ...values, impact: "- 10% of requests failed", support_email: "support@example.com" });
    expect(withBoth.html).toBe(
      '<p>Hello.</p>\n<p><strong>IMPACT:</strong></p>\n<ul>\n<li>10% of requests failed</li>\n</ul>\n<p>Write to <a href="mailto:support@example.com" rel="nofollow noopener noreferrer">support@example.com</a>.</p>\n<p>Bye.</p>',
    );
    expect(withBoth.text).toContain("IMPACT:\n\n- 10% of requests failed");
  });

  test("sections are checked at start: known names, on their own lines, closed, not nested", () => {
    expect(() => parseTemplate("Subject: x\n\n{{#customer}}\nHi\n{{/customer}}", "t.md")).toThrow(/unknown section \{\{#customer\}\}/);
    expect(() => parseTemplate("Subject: x\n\n{{#impact}}\nHi", "t.md")).toThrow(/\{\{#impact\}\} is never closed/);
    expect(() => parseTemplate("Subject: x\n\n{{#impact}}\n{{#summary}}\n{{/summary}}\n{{/impact}}", "t.md")).toThrow(/sections do not nest/);
    expect(() => parseTemplate("Subject: x\n\n{{/impact}}", "t.md")).toThrow(/closes no open section/);
    expect(() => parseTemplate("Subject: x\n\nSee {{#impact}} here {{/impact}}", "t.md")).toThrow(/on a line of its own/);
    expect(() => parseTemplate("Subject: x\n\nCause: {{root_cause}}", "t.md")).toThrow(/\{\{root_cause\}\} must be on a line of its own/);
  });
});
