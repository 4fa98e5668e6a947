/**
 * Colour contrast by WCAG 2.2's formulas (relative luminance, contrast ratio), for the page's
 * accent: links, buttons and focus rings must stay readable on the page's light and dark
 * backgrounds (AA: 4.5:1 for text).
 */

export const AA_TEXT = 4.5;

/** The page's own backgrounds (site/styles/site.css): page and cards, light and dark. */
export const LIGHT_BACKGROUNDS = ["#ffffff", "#f6f8fa"] as const;
export const DARK_BACKGROUNDS = ["#0d1117", "#151b23"] as const;

/** "#0969da" or "#09d" → [r, g, b] (0–255), or null when it is not a hex colour. */
export function parseHexColor(text: string): [number, number, number] | null {
  const m = /^#?([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(text.trim());
  if (!m) return null;
  const hex = m[1]!.length === 3 ? [...m[1]!].map((c) => c + c).join("") : m[1]!;
  return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
}

export function toHex([r, g, b]: readonly number[]): string {
  return `#${[r, g, b].map((v) => Math.round(v!).toString(16).padStart(2, "0")).join("")}`;
}

/** WCAG relative luminance (0 black – 1 white). */
export function luminance(rgb: readonly number[]): number {
  const [r, g, b] = rgb.map((v) => {
    const c = v / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG contrast ratio, 1–21. */
export function contrast(a: string, b: string): number {
  const [la, lb] = [luminance(parseHexColor(a)!), luminance(parseHexColor(b)!)];
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}

/** The lowest contrast of `color` against any of `backgrounds`. */
export function worstContrast(color: string, backgrounds: readonly string[]): number {
  return Math.min(...backgrounds.map((bg) => contrast(color, bg)));
}

/**
 * A dark-scheme partner for a light-scheme accent: the same hue mixed with white, step by step,
 * until it reads on the dark backgrounds (a blue #0969da becomes about #5b9ee6).
 */
export function darkPartner(light: string): string {
  const rgb = parseHexColor(light)!;
  for (let t = 0; t <= 1.0001; t += 0.02) {
    const mixed = toHex(rgb.map((v) => v + (255 - v) * t));
    if (worstContrast(mixed, DARK_BACKGROUNDS) >= AA_TEXT) return mixed;
  }
  return "#ffffff";
}

export interface Accent {
  light: string;
  dark: string;
}

/**
 * The accent for both schemes, or why it cannot be: the light one must reach AA on the light
 * backgrounds (links on the page and on cards, white text on buttons), the dark one on the dark
 * backgrounds (derived when not given).
 */
export function checkAccent(light: string, dark?: string): { accent: Accent } | { error: string } {
  if (!parseHexColor(light)) return { error: `must be a hex colour such as #0969da, got "${light}"` };
  if (dark !== undefined && !parseHexColor(dark)) return { error: `must be a hex colour such as #58a6ff, got "${dark}"` };
  const l = toHex(parseHexColor(light)!);
  const lightRatio = Math.min(worstContrast(l, LIGHT_BACKGROUNDS), contrast(l, "#ffffff"));
  if (lightRatio < AA_TEXT) {
    return { error: `${l} has a contrast of ${lightRatio.toFixed(2)}:1 on the page's light background; WCAG AA needs ${AA_TEXT}:1 for links and buttons — choose a darker shade` };
  }
  const d = dark === undefined ? darkPartner(l) : toHex(parseHexColor(dark)!);
  const darkRatio = worstContrast(d, DARK_BACKGROUNDS);
  if (darkRatio < AA_TEXT) {
    return { error: `${d} has a contrast of ${darkRatio.toFixed(2)}:1 on the page's dark background; WCAG AA needs ${AA_TEXT}:1 — choose a lighter shade` };
  }
  return { accent: { light: l, dark: d } };
}
