import type { Context } from "hono";
import type { z } from "zod";
import { Problem, unprocessable } from "../problem.ts";

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
  return { value: validate(schema, parsed, "The request body is invalid."), raw };
}

export function validate<S extends z.ZodType>(schema: S, input: unknown, detail: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw unprocessable(
    detail,
    result.error.issues.map((issue) => ({
      field: issue.path.map(String).join("."),
      message: issue.code === "unrecognized_keys" ? `Unknown field(s): ${issue.keys.join(", ")}.` : issue.message,
    })),
  );
}
