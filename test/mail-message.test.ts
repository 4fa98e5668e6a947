import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { parseMail } from "./mime.ts";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { EmlMailer } from "../api/mail/eml.ts";
import { retryAfterMs } from "../api/mail/mailer.ts";
import { buildMessage, headerSafe, subjectTag, type MessageInput } from "../api/mail/message.ts";
import { unsubscribeToken, verifyUnsubscribeToken } from "../api/mail/token.ts";
import { renderMarkdown, renderMarkdownToText } from "../templates/markdown.ts";
import { SECRET, settings } from "./mail-helpers.ts";

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
    expect(m.text).toContain("Dear Customers,");
    expect(m.html).toContain("<p>Dear Customers,</p>");
    expect(m.text).toContain(renderMarkdownToText(base.updateBody));
    expect(m.html).toContain(renderMarkdown(base.updateBody));
    expect(words(renderMarkdown(base.updateBody))).toEqual(words(renderMarkdownToText(base.updateBody)));
    expect(m.text).toContain("Status page: https://status.example.com/incidents/kctbh9vrtdwd");
    expect(m.html).toContain('href="https://status.example.com/incidents/kctbh9vrtdwd"');
    const unsubscribe = `https://status.example.com/subscriptions/unsubscribe?token=${encodeURIComponent(unsubscribeToken(SECRET, base.subscriberId))}`;
    expect(m.text).toContain(`Unsubscribe: ${unsubscribe}`);
    expect(m.html).toContain(`href="${unsubscribe}"`);
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
