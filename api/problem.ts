/**
 * An RFC 9457 problem: what the API answers for every refused request. Thrown by services
 * (which know nothing of HTTP frameworks) and turned into `application/problem+json` at the edge.
 */
export interface FieldError {
  /** Dotted path of the offending field, e.g. `components.abc123def456`; "" for the whole body. */
  field: string;
  message: string;
}

export class Problem extends Error {
  readonly status: number;
  readonly title: string;
  readonly detail: string;
  readonly errors: FieldError[] | undefined;
  readonly extra: Record<string, unknown> | undefined;

  constructor(status: number, title: string, detail: string, options: { errors?: FieldError[]; extra?: Record<string, unknown> } = {}) {
    super(detail);
    this.status = status;
    this.title = title;
    this.detail = detail;
    this.errors = options.errors;
    this.extra = options.extra;
  }

  toJSON(): Record<string, unknown> {
    return {
      type: "about:blank",
      title: this.title,
      status: this.status,
      detail: this.detail,
      ...(this.errors ? { errors: this.errors } : {}),
      ...this.extra,
    };
  }
}

export const notFound = (what: string, id: string) => new Problem(404, "Not Found", `No ${what} with id "${id}".`);

export const unprocessable = (detail: string, errors: FieldError[]) =>
  new Problem(422, "Unprocessable Content", detail, { errors });
