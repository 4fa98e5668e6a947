import type { Context } from "hono";
import type { z } from "zod";
import { Problem, unprocessable, type FieldError } from "../problem.ts";

/**
 * Reads and validates a JSON body: 415 when it is not JSON, 400 when it does not parse,
 * 422 with one entry per offending field when it breaks the schema. The size limit (413)
 * is enforced earlier, before the body is read.
 */
export async function readJson<S extends z.ZodType>(c: Context, schema: S): Promise<{ value: z.output<S>; raw: string }> {
  const type = c.req.header("Content-Type") ?? "";
  if (!/^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i.test(type)) {
    throw new Problem(415, "Unsupported Media Type", "Send the request body as JSON with Content-Type: application/json.");
  }
  const raw = await c.req.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new Problem(400, "Bad Request", `The request body is not valid JSON: ${(error as Error).message}`);
  }
  const forbidden = forbiddenKeys(parsed);
  const result = checkSchema(schema, parsed);
  const errors = [...forbidden.map((field) => ({ field, message: "This field name is not allowed." })), ...(result.ok ? [] : result.errors)];
  if (errors.length > 0 || !result.ok) throw unprocessable("The request body is invalid.", errors);
  return { value: result.value, raw };
}

/** How deep a request body may nest; ours are at most three levels, so this is generous. */
const MAX_DEPTH = 32;

/**
 * JSON.parse keeps `__proto__` as an own key, and validators may then drop it silently;
 * refuse it wherever it is, so nothing is accepted that was not checked. Walks without
 * recursion, and reports a body nested absurdly deep instead of overflowing the stack.
 */
function forbiddenKeys(value: unknown): string[] {
  const found: string[] = [];
  const stack: { value: unknown; path: string[] }[] = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: node, path } = stack.pop()!;
    if (typeof node !== "object" || node === null) continue;
    if (path.length > MAX_DEPTH) {
      found.push(path.slice(0, 2).join("."));
      continue;
    }
    for (const key of Object.keys(node)) {
      if (key === "__proto__") found.push([...path, key].join("."));
      else stack.push({ value: (node as Record<string, unknown>)[key], path: [...path, key] });
    }
  }
  return found;
}

export function validate<S extends z.ZodType>(schema: S, input: unknown, detail: string): z.output<S> {
  const result = checkSchema(schema, input);
  if (result.ok) return result.value;
  throw unprocessable(detail, result.errors);
}

/** Checks `input` against `schema`: the value, or one FieldError per offending field (the API's 422 `errors`). */
export function checkSchema<S extends z.ZodType>(schema: S, input: unknown): { ok: true; value: z.output<S> } | { ok: false; errors: FieldError[] } {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  return {
    ok: false,
    errors: result.error.issues.flatMap((issue) =>
      issue.code === "unrecognized_keys"
        ? issue.keys.map((key) => ({ field: [...issue.path.map(String), key].join("."), message: `Unknown field "${key}".` }))
        : [{ field: issue.path.map(String).join("."), message: issue.message }],
    ),
  };
}
