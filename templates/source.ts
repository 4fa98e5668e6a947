/**
 * Where the text of a template file (templates/*.md) comes from. On Node it is read from disk
 * next to this module; the Worker entry (api/worker.ts) registers the texts wrangler bundled,
 * since a Worker has no files. Either way a template is read once and checked at start.
 */
export type TemplateSource = (file: string) => string;

let registered: TemplateSource | null = null;

/** Replaces the disk: called by runtimes without a file system (the Worker). */
export function setTemplateSource(source: TemplateSource): void {
  registered = source;
}

/** Whether templates/<file> exists (a locale's own template, templates/<locale>/<file>, is optional). */
export function templateExists(file: string): boolean {
  try {
    templateText(file);
    return true;
  } catch {
    return false;
  }
}

/** The text of templates/<file>. Throws when the file is missing. */
export function templateText(file: string): string {
  if (registered) return registered(file);
  // Node: fs through process.getBuiltinModule, so this module imports nothing Node-only and
  // bundles for workerd unchanged (where the registered source answers instead).
  const fs = (globalThis as { process?: { getBuiltinModule?(name: string): unknown } }).process?.getBuiltinModule?.("node:fs") as
    | { readFileSync(path: URL, encoding: "utf8"): string }
    | undefined;
  if (!fs) throw new Error(`No template source for templates/${file}: the runtime entry must call setTemplateSource().`);
  return fs.readFileSync(new URL(`./${file}`, import.meta.url), "utf8");
}
