import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { parseMail } from "./mime.ts";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EmlMailer } from "../api/mail/eml.ts";
import { retryAfterMs } from "../api/mail/mailer.ts";
import { buildMessage, headerSafe, subjectTag, type MessageInput } from "../api/mail/message.ts";
import { buildConfirmationMessage } from "../api/mail/confirmation.ts";
import { unsubscribeToken, verifyUnsubscribeToken } from "../api/mail/token.ts";
import { renderMarkdown, renderMarkdownToText } from "../templates/markdown.ts";
import { SECRET, settings } from "./mail-helpers.ts";
import { parseHtml } from "./html.ts";

const base: MessageInput = {
  subscriberId: "abcdefghij12",
  email: "Ada@example.com",
  updateStatus: "investigating",
  updateBody: "We're **investigating** elevated API errors.\n\n- one\n- two",
  updateCreatedAt: "2024-01-15T14:05:00.000Z",
  incidentId: "kctbh9vrtdwd",
  incidentKind: "incident",
  incidentName: "API Service Disruption",
};

function words(text: string): string[] {
  const decoded = text.replace(/<[^>]*>/g, " ").replace(/&#39;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
  return decoded.split(/[^A-Za-z0-9']+/).filter(Boolean);
}

describe("the message", () => {
  it("follows the Customer Communication Template subject: [STATUS] name - Mon D, YYYY", () => {
    expect(buildMessage(settings, base).subject).toBe("[INVESTIGATING] API Service Disruption - Jan 15, 2024");
    for (const [status, tag] of [
      ["identified", "[IDENTIFIED]"], ["monitoring", "[MONITORING]"], ["resolved", "[RESOLVED]"],
      ["scheduled", "[SCHEDULED]"], ["in_progress", "[IN PROGRESS]"], ["verifying", "[VERIFYING]"], ["completed", "[COMPLETED]"],
    ] as const) {
      expect(subjectTag(status)).toBe(tag);
      expect(buildMessage(settings, { ...base, updateStatus: status }).subject.startsWith(`${tag} API Service Disruption - `)).toBe(true);
    }
  });

  it("dates the subject and times the body in the page's zone, with its label", () => {
    const ny = { ...settings, timeZone: "America/New_York" };
    const m = buildMessage(ny, { ...base, updateCreatedAt: "2024-01-16T02:30:00.000Z" });
    expect(m.subject).toBe("[INVESTIGATING] API Service Disruption - Jan 15, 2024");
    expect(m.text).toContain("Jan 15, 2024 - 21:30 EST");
    expect(m.html).toContain("Jan 15, 2024 - 21:30 EST");
    expect(buildMessage(settings, base).text).toContain("Jan 15, 2024 - 14:05 UTC");
  });

  it("has a text and an HTML part with the same words as the rendered body, greeting and links", () => {
    const m = buildMessage(settings, base);
    expect(m.to).toBe("Ada@example.com");
    expect(m.from).toBe("Example Status <status@example.com>");
    const html = parseHtml(m.html);
    expect(m.text).toContain("Dear Customers,");
    expect(html.text).toContain("Dear Customers,");
    expect(m.text).toContain(renderMarkdownToText(base.updateBody));
    expect(words(renderMarkdown(base.updateBody))).toEqual(words(renderMarkdownToText(base.updateBody)));
    expect(html.text).toContain(parseHtml(renderMarkdown(base.updateBody)).text);
    const unsubscribe = `https://status.example.com/subscriptions/unsubscribe?token=${encodeURIComponent(unsubscribeToken(SECRET, base.subscriberId))}`;
    // Readable link text in the HTML; the text part writes the address out.
    expect(html.links()).toContainEqual({ href: "https://status.example.com/incidents/kctbh9vrtdwd", text: "View incident" });
    expect(html.links()).toContainEqual({ href: unsubscribe, text: "Unsubscribe" });
    for (const link of html.links()) expect(link.text).not.toMatch(/^https?:/);
    expect(m.text).toContain("View incident: https://status.example.com/incidents/kctbh9vrtdwd");
    expect(m.text).toContain(`Unsubscribe: ${unsubscribe}`);
  });

  it("is designed: the page's name, the status in its colour, the title, when, the components, a button, a footer — and the text part says the same", () => {
    const m = buildMessage({ ...settings, logoUrl: "https://example.com/logo.png" }, {
      ...base,
      updateStatus: "identified",
      details: { severity: "SEV1", impact: "critical", window: null, components: [{ name: "API", status: "major_outage" }, { name: "Database", status: "operational" }] },
    });
    const html = parseHtml(m.html);
    // Built for mail clients: a 600 px table layout, inline styles, both colour schemes declared.
    expect(html.all("table")[1]!.attrs).toMatchObject({ role: "presentation", width: "600" });
    expect(html.all("meta").some((e) => e.attrs.name === "color-scheme" && e.attrs.content === "light dark")).toBe(true);
    expect(html.all("style")).toEqual([]);
    expect(html.all("img")).toEqual([{ tag: "img", attrs: expect.objectContaining({ src: "https://example.com/logo.png", alt: "" }), text: "" }]);
    // The order a reader sees: name, status, title, facts, components, words, button, footer.
    const order = ["Example", "Identified", "API Service Disruption", "Severity: SEV1 · Critical", "Posted: Jan 15, 2024 - 14:05 UTC", "Affected components", "API Major Outage", "Database Operational", "Dear Customers,", "View incident", "You are receiving this because you subscribed to Example updates. Unsubscribe"];
    const at = order.map((w) => html.text.indexOf(w));
    expect(at.every((i) => i >= 0), `${html.text}`).toBe(true);
    expect([...at].sort((x, y) => x - y)).toEqual(at);
    // The status and the red of a critical impact.
    const status = html.all("p").find((p) => p.text === "Identified")!;
    expect(status.attrs.style).toContain("color:#cf222e");
    // The text part: the same facts, in the same order.
    const textOrder = ["Example\n", "Identified: API Service Disruption", "Severity: SEV1 · Critical", "Posted: Jan 15, 2024 - 14:05 UTC", "Affected components:", "- API: Major Outage", "- Database: Operational", "Dear Customers,", "View incident: https://", "Unsubscribe: https://"];
    const textAt = textOrder.map((w) => m.text.indexOf(w));
    expect(textAt.every((i) => i >= 0), m.text).toBe(true);
    expect([...textAt].sort((x, y) => x - y)).toEqual(textAt);
  });

  it("a maintenance mail says when it happens, in the page's zone, and what it affects; its subject has the maintenance's date", () => {
    const ny = { ...settings, timeZone: "America/New_York" };
    const m = buildMessage(ny, {
      ...base,
      incidentKind: "maintenance",
      incidentName: "Database upgrade",
      updateStatus: "scheduled",
      updateCreatedAt: "2024-01-10T15:00:00.000Z",
      details: { severity: null, impact: "maintenance", window: { start: "2024-01-20T07:00:00.000Z", end: "2024-01-20T09:00:00.000Z" }, components: [{ name: "Database", status: "operational" }] },
    });
    expect(m.subject).toBe("[SCHEDULED] Database upgrade - Jan 20, 2024");
    const html = parseHtml(m.html);
    expect(html.text).toContain("When: Jan 20, 02:00 – 04:00 EST");
    expect(m.text).toContain("When: Jan 20, 02:00 – 04:00 EST");
    expect(m.text).toContain("- Database: Operational");
    expect(html.links()).toContainEqual({ href: "https://status.example.com/incidents/kctbh9vrtdwd", text: "View maintenance" });
  });

  it("the confirmation mail is designed too: a button to confirm, the expiry, a way to never be mailed again", () => {
    const m = buildConfirmationMessage(settings, { subscriberId: "abcdefghij12", email: "new@example.com", nonce: "n".repeat(22), expiresAt: "2024-01-17T14:05:00.000Z" });
    const html = parseHtml(m.html);
    const confirm = html.links().find((l) => l.text === "Confirm your subscription")!;
    expect(confirm.href).toMatch(/^https:\/\/status\.example\.com\/subscriptions\/confirm\?token=n{22}\./);
    expect(html.text).toContain("The link works once and expires Wed, 17 Jan 2024 14:05:00 GMT.");
    expect(html.links().map((l) => l.text)).toContain("Never send mail to this address again");
    expect(m.text).toContain(`Confirm your subscription: ${confirm.href}`);
    expect(m.text).toContain("The link works once and expires Wed, 17 Jan 2024 14:05:00 GMT.");
  });

  it("carries one-click unsubscribe and list headers", () => {
    const m = buildMessage(settings, base);
    const token = unsubscribeToken(SECRET, base.subscriberId);
    expect(m.headers["List-Unsubscribe"]).toBe(`<https://status.example.com/subscriptions/unsubscribe?token=${encodeURIComponent(token)}>`);
    expect(m.headers["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
    expect(m.headers["List-Id"]).toBe('"Example" <updates.status.example.com>');
  });

  it("keeps hostile Markdown inert in the HTML part", () => {
    const body = '<script>alert(1)</script> <img src=x onerror=alert(2)> [x](javascript:alert(3)) <a href="javascript:alert(4)">y</a>';
    const m = buildMessage(settings, { ...base, updateBody: body, incidentName: '<b onmouseover="x">"Name"</b>' });
    expect(m.html).not.toMatch(/<(script|img|b)\b/i);
    expect(m.html).not.toMatch(/<[^>]*\son\w+=/i); // no event handler inside any real tag
    expect(m.html).not.toMatch(/href="javascript/i);
    expect(m.html).toContain("&lt;script&gt;");
    expect(m.html).toContain("&lt;b onmouseover=&quot;x&quot;&gt;");
  });

  it("strips CR/LF from everything that goes into a header", () => {
    const m = buildMessage(
      { ...settings, pageName: "Evil\r\nBcc: all@example.com", from: "Status <s@example.com>\r\nBcc: x@example.com" },
      { ...base, incidentName: "Down\r\nBcc: victim@example.com\nX-Evil: 1", email: "ada@example.com\r\nCc: x@example.com" },
    );
    for (const value of [m.subject, m.from, m.to, ...Object.values(m.headers)]) expect(value).not.toMatch(/[\r\n]/);
    expect(m.subject).toBe("[INVESTIGATING] Down Bcc: victim@example.com X-Evil: 1 - Jan 15, 2024");
    expect(m.headers["List-Id"]).toBe('"Evil Bcc: all@example.com" <updates.status.example.com>');
    expect(headerSafe("a\u2028b\u0000c\td")).toBe("a b c d");
  });
});

describe("unsubscribe tokens", () => {
  it("round-trip and name the subscriber", () => {
    const token = unsubscribeToken(SECRET, "abcdefghij12");
    expect(token).toMatch(/^abcdefghij12\.[A-Za-z0-9_-]{43}$/);
    expect(verifyUnsubscribeToken(SECRET, token)).toBe("abcdefghij12");
  });

  it("refuse forgeries, other secrets, swapped ids and malformed input", () => {
    const token = unsubscribeToken(SECRET, "abcdefghij12");
    const mac = token.split(".")[1]!;
    expect(verifyUnsubscribeToken("another-secret", token)).toBeNull();
    expect(verifyUnsubscribeToken(SECRET, `zzzzzzzzzzzz.${mac}`)).toBeNull();
    expect(verifyUnsubscribeToken(SECRET, `abcdefghij12.${mac.slice(0, -1)}A`)).toBeNull();
    expect(verifyUnsubscribeToken(SECRET, `abcdefghij12.${mac}=`)).toBeNull();
    for (const bad of ["", ".", "abcdefghij12", "abcdefghij12.", `ABCDEFGHIJ12.${mac}`, "x".repeat(500)]) {
      expect(verifyUnsubscribeToken(SECRET, bad)).toBeNull();
    }
    expect(verifyUnsubscribeToken("", token)).toBeNull();
  });
});

describe("the embedded mailer", () => {
  it("writes RFC 5322 multipart/alternative .eml files, one per message, idempotently per batch", async () => {
    const dir = mkdtempSync(join(tmpdir(), "herald-eml-"));
    try {
      const logged: string[] = [];
      let now = new Date("2026-12-03T14:05:09.123Z");
      const mailer = new EmlMailer(dir, { log: (line) => logged.push(line), now: () => now });
      const m = buildMessage(settings, { ...base, incidentName: "Panne du système ✓" });
      const first = await mailer.sendBatch([m, { ...m, to: "bob@example.com" }], "herald-batchkey");
      expect(first.kind).toBe("accepted");
      // A resent batch (a crash, a lost answer) overwrites its own files, even later.
      now = new Date("2026-12-03T14:06:00Z");
      await mailer.sendBatch([m, { ...m, to: "bob@example.com" }], "herald-batchkey");
      await mailer.sendBatch([m], "herald-laterbatch");
      // …and so does a new process after a crash, reading the names from the directory.
      await new EmlMailer(dir, { now: () => new Date("2026-12-03T15:00:00Z") }).sendBatch([m, { ...m, to: "bob@example.com" }], "herald-batchkey");
      // Named by the time they were first written, so they sort by time.
      const files = readdirSync(dir).sort();
      expect(files).toEqual(["2026-12-03T14-05-09Z-herald-batchkey-000.eml", "2026-12-03T14-05-09Z-herald-batchkey-001.eml", "2026-12-03T14-06-00Z-herald-laterbatch-000.eml"]);
      // The log names each file.
      expect(logged[0]).toBe(`mail: wrote ${join(dir, files[0]!)} (to Ada@example.com: ${m.subject})`);
      const eml = readFileSync(join(dir, files[0]!), "utf8");
      // Readable as it is: the text part is quoted-printable, English words as written.
      expect(eml).toContain("Content-Transfer-Encoding: quoted-printable");
      expect(eml).not.toContain("Content-Transfer-Encoding: base64");
      expect(eml).toContain("Unsubscribe");
      // What a mail client reads, decoded by a real MIME parser.
      const read = await parseMail(eml);
      expect(read.from).toBe("Example Status <status@example.com>");
      expect(read.to).toEqual(["Ada@example.com"]);
      expect(read.subject).toBe(m.subject);
      expect(read.headers.get("list-unsubscribe-post")).toBe("List-Unsubscribe=One-Click");
      expect(read.headers.get("mime-version")).toBe("1.0");
      expect(read.headers.get("content-type")).toMatch(/^multipart\/alternative; boundary=/);
      expect(read.text.trim()).toBe(m.text.trim());
      expect(read.html.trim()).toBe(m.html.trim());
      for (const line of eml.split("\r\n")) expect(line.length).toBeLessThanOrEqual(998);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("logs a confirmation mail's link, so it can be confirmed without a mail client", async () => {
    const dir = mkdtempSync(join(tmpdir(), "herald-eml-"));
    try {
      const logged: string[] = [];
      const link = "https://status.example.com/subscriptions/confirm?token=abc.def";
      const mailer = new EmlMailer(dir, { log: (line) => logged.push(line) });
      await mailer.sendBatch([{ from: "Example <status@example.com>", to: "new@example.com", subject: "Confirm your subscription", text: `Confirm: ${link}\n`, html: `<a href="${link}">Confirm</a>`, headers: {} }], "k1");
      expect(logged).toHaveLength(1);
      expect(logged[0]).toMatch(/^mail: wrote .*-k1-000\.eml \(to new@example\.com: Confirm your subscription\); confirm at https:\/\/status\.example\.com\/subscriptions\/confirm\?token=abc\.def$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reads retry-after as seconds or an HTTP date, else ratelimit-reset", () => {
    expect(retryAfterMs({ "retry-after": "2" })).toBe(2000);
    expect(retryAfterMs({ "retry-after": new Date(10_000).toUTCString() }, 4000)).toBe(6000);
    expect(retryAfterMs({ "ratelimit-reset": "3" })).toBe(3000);
    expect(retryAfterMs({})).toBeNull();
    expect(retryAfterMs(null)).toBeNull();
  });
});
