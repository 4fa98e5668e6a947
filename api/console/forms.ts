/**
 * The console's form parts, so every page labels its fields, puts each error next to its field
 * (announced, linked with aria-describedby) and carries the same hidden CSRF token and form id.
 * Every value is escaped here.
 */
import { escapeHtml } from "../../templates/markdown.ts";
import type { FieldError } from "../problem.ts";
import { csrfToken } from "./csrf.ts";
import { newFormId, type Session } from "./context.ts";

/** A posted form's fields, as strings. */
export type Form = Record<string, string>;
/** The first error message per field name ("form" for the whole form). */
export type Errors = Record<string, string>;

/** Field errors of a schema check or a Problem, keyed by form field (`components.<id>` → `components`). */
export function errorsOf(issues: readonly FieldError[], rename: Record<string, string> = {}): Errors {
  const errors: Errors = {};
  for (const { field, message } of issues) {
    const top = field.split(".")[0] ?? "";
    const key = rename[top] ?? (top || "form");
    errors[key] ??= message;
  }
  return errors;
}

export const fieldError = (errors: Errors, name: string): string =>
  errors[name] ? `<p class="err" id="err-${escapeHtml(name)}" role="alert"><strong>Error:</strong> ${escapeHtml(errors[name]!)}</p>` : "";

export const describedBy = (errors: Errors, name: string): string => (errors[name] ? ` aria-describedby="err-${escapeHtml(name)}" aria-invalid="true"` : "");

/** The error about the form as a whole (not one field), at its top. */
export const formError = (errors: Errors): string => (errors.form ? `<p class="err" role="alert"><strong>Error:</strong> ${escapeHtml(errors.form)}</p>` : "");

/** The CSRF token and the form's id (a second submission of the same form id writes nothing new). */
export const hiddenFields = (session: Session, form: Form = {}): string =>
  `<input type="hidden" name="csrf" value="${escapeHtml(csrfToken(session.token))}"><input type="hidden" name="form_id" value="${escapeHtml(form.form_id || newFormId())}">`;

/** Just the CSRF token: for small forms whose repeat changes nothing (remove, revoke, reactivate). */
export const csrfField = (session: Session): string => `<input type="hidden" name="csrf" value="${escapeHtml(csrfToken(session.token))}">`;

interface FieldOptions {
  type?: "text" | "email" | "url" | "date" | "datetime-local";
  maxlength?: number;
  required?: boolean;
  hint?: string;
  placeholder?: string;
}

export function textField(name: string, label: string, form: Form, errors: Errors, o: FieldOptions = {}): string {
  const hint = o.hint ? `<span class="note" id="hint-${escapeHtml(name)}">${escapeHtml(o.hint)}</span>` : "";
  return `<p><label for="f-${escapeHtml(name)}">${escapeHtml(label)}</label>${hint}${fieldError(errors, name)}<input type="${o.type ?? "text"}" id="f-${escapeHtml(name)}" name="${escapeHtml(name)}"${o.maxlength ? ` maxlength="${o.maxlength}"` : ""}${o.required ? " required" : ""}${o.placeholder ? ` placeholder="${escapeHtml(o.placeholder)}"` : ""} value="${escapeHtml(form[name] ?? "")}"${describedBy(errors, name)}></p>`;
}

export function textArea(name: string, label: string, form: Form, errors: Errors, o: { rows?: number; maxlength?: number; hint?: string } = {}): string {
  const hint = o.hint ? `<span class="note">${escapeHtml(o.hint)}</span>` : "";
  return `<p><label for="f-${escapeHtml(name)}">${escapeHtml(label)}</label>${hint}${fieldError(errors, name)}<textarea id="f-${escapeHtml(name)}" name="${escapeHtml(name)}" rows="${o.rows ?? 6}"${o.maxlength ? ` maxlength="${o.maxlength}"` : ""}${describedBy(errors, name)}>${escapeHtml(form[name] ?? "")}</textarea></p>`;
}

export function selectField(name: string, label: string, options: readonly { value: string; label: string }[], form: Form, errors: Errors): string {
  const chosen = form[name];
  const list = options.map((o) => `<option value="${escapeHtml(o.value)}"${chosen === o.value ? " selected" : ""}>${escapeHtml(o.label)}</option>`).join("");
  return `<p><label for="f-${escapeHtml(name)}">${escapeHtml(label)}</label>${fieldError(errors, name)}<select id="f-${escapeHtml(name)}" name="${escapeHtml(name)}"${describedBy(errors, name)}>${list}</select></p>`;
}

/** A checkbox; `checked` decides when the form was not posted yet (a posted form without it is unchecked). */
export function checkbox(name: string, label: string, form: Form, checkedByDefault = false): string {
  const checked = form.form_id !== undefined ? form[name] === "on" : checkedByDefault;
  return `<p><input type="checkbox" id="f-${escapeHtml(name)}" name="${escapeHtml(name)}" value="on"${checked ? " checked" : ""}> <label for="f-${escapeHtml(name)}">${escapeHtml(label)}</label></p>`;
}

export const button = (label: string, value?: string): string =>
  `<button type="submit"${value ? ` name="action" value="${escapeHtml(value)}"` : ""}>${escapeHtml(label)}</button>`;

/** A one-button form posting to `action` (remove, revoke, reactivate), labelled for screen readers by `label`. */
export const actionButton = (session: Session, action: string, text: string, label = text): string =>
  `<form method="post" action="${escapeHtml(action)}" class="inline">${csrfField(session)}<button type="submit"${label !== text ? ` aria-label="${escapeHtml(label)}"` : ""}>${escapeHtml(text)}</button></form>`;

/** A table with a header row; cells are HTML already escaped by the caller. */
export function table(headers: readonly string[], rows: readonly string[][], empty: string): string {
  if (rows.length === 0) return `<p>${escapeHtml(empty)}</p>`;
  return `<table><thead><tr>${headers.map((h) => `<th scope="col">${h ? escapeHtml(h) : ""}</th>`).join("")}</tr></thead><tbody>${rows
    .map((cells) => `<tr>${cells.map((c) => `<td>${c}</td>`).join("")}</tr>`)
    .join("")}</tbody></table>`;
}
