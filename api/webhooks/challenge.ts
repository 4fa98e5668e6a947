/**
 * How a webhook endpoint is verified before it is stored: Herald POSTs
 * `{"type": "webhook.challenge", "challenge": "<random>"}` (header `X-Herald-Event:
 * webhook.challenge`) and the endpoint must answer 2xx within the timeout with the challenge
 * echoed: the bare value as the body, or JSON `{"challenge": "<value>"}`. This proves that whoever
 * registers the URL controls the receiver, so Herald cannot be used to post at someone else's
 * endpoint. Redirects are not followed. Nothing is stored when the challenge fails.
 */
import { describeStatus, postJson } from "./post.ts";
import { EVENT_HEADER } from "./signature.ts";

/** At most this much of the answer is read. */
const MAX_ANSWER_BYTES = 4096;
/** The challenge never waits longer than this, whatever the delivery timeout (someone is waiting for the answer). */
const MAX_CHALLENGE_MS = 10_000;

export function newChallenge(): string {
  return [...crypto.getRandomValues(new Uint8Array(16))].map((b) => b.toString(16).padStart(2, "0")).join("");
}

async function readStart(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < MAX_ANSWER_BYTES) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
  }
  await reader.cancel().catch(() => {});
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes.slice(0, MAX_ANSWER_BYTES));
}

function echoes(answer: string, challenge: string): boolean {
  const text = answer.trim();
  if (text === challenge) return true;
  try {
    return (JSON.parse(text) as { challenge?: unknown })?.challenge === challenge;
  } catch {
    return false;
  }
}

/** Sends the challenge; null when the endpoint answered it, else why not (said to the registrant). */
export async function challengeEndpoint(endpoint: string, options: { timeoutMs: number; fetch?: typeof fetch }): Promise<string | null> {
  const challenge = newChallenge();
  const timeoutMs = Math.min(options.timeoutMs, MAX_CHALLENGE_MS);
  const outcome = await postJson(endpoint, JSON.stringify({ type: "webhook.challenge", challenge }), { [EVENT_HEADER]: "webhook.challenge" }, { timeoutMs, fetch: options.fetch });
  if (outcome.kind === "timeout") return `it did not answer within ${timeoutMs} ms`;
  if (outcome.kind === "unreachable") return "it could not be reached";
  if (outcome.status < 200 || outcome.status >= 300) {
    await outcome.response.body?.cancel().catch(() => {});
    return `it answered ${describeStatus(outcome.status)}`;
  }
  try {
    if (echoes(await readStart(outcome.response), challenge)) return null;
  } catch {
    // The answer broke off while being read: not an echo.
  }
  return 'its answer did not echo the challenge (answer with the value, or with {"challenge": "<value>"})';
}
