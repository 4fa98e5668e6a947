/**
 * Mail as a reader sees it: .eml files parsed by a real MIME parser (postal-mime), so tests search
 * decoded words, never the transfer encoding (base64 and quoted-printable text holds any short
 * string by chance, and hides the words themselves).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import PostalMime from "postal-mime";

export interface ReadMail {
  file: string;
  subject: string;
  from: string;
  to: string[];
  text: string;
  html: string;
  headers: Map<string, string>;
  /** Every decoded word a reader could see: subject, addresses, header values, text and HTML parts. */
  everything: string;
}

export async function parseMail(raw: string | Uint8Array, file = ""): Promise<ReadMail> {
  const email = await PostalMime.parse(raw);
  const headers = new Map(email.headers.map((h) => [h.key.toLowerCase(), h.value] as const));
  const from = email.from ? `${email.from.name ? `${email.from.name} ` : ""}<${email.from.address ?? ""}>` : "";
  const to = (email.to ?? []).map((a) => a.address ?? "");
  const text = email.text ?? "";
  const html = email.html ?? "";
  const subject = email.subject ?? "";
  return { file, subject, from, to, text, html, headers, everything: [subject, from, ...to, ...headers.values(), text, html].join("\n") };
}

/** Every .eml file in `dir`, parsed, in file-name order. */
export async function readMailDir(dir: string): Promise<ReadMail[]> {
  const files = readdirSync(dir).filter((f) => f.endsWith(".eml")).sort();
  return Promise.all(files.map((f) => parseMail(readFileSync(join(dir, f)), f)));
}
