/**
 * The page's order of components, used everywhere a list of them is shown (the page, the
 * subscribe form, the manage page, mail): top-level components and groups by position (then
 * name, then id), each group followed by its own components by position. A component whose group
 * is missing stands at the top level rather than being lost.
 */
export interface Orderable {
  id: string;
  name: string;
  position: number;
  isGroup: boolean;
  groupId: string | null;
}

export function byPosition(a: Orderable, b: Orderable): number {
  return a.position - b.position || a.name.localeCompare(b.name) || a.id.localeCompare(b.id);
}

/** One line of the page: a component on its own, or a group with its components. */
export interface OrderedRow<T extends Orderable> {
  item: T;
  /** A group's components in order; empty for a component on its own. */
  children: T[];
}

export function inPageOrder<T extends Orderable>(all: readonly T[]): OrderedRow<T>[] {
  const groups = new Set(all.filter((c) => c.isGroup).map((c) => c.id));
  const top = all.filter((c) => !c.groupId || !groups.has(c.groupId)).sort(byPosition);
  return top.map((item) => ({
    item,
    children: item.isGroup ? all.filter((c) => c.groupId === item.id && !c.isGroup).sort(byPosition) : [],
  }));
}

/** The components one can subscribe to, grouped as on the page: `group` null for those on their own. */
export function subscribableInPageOrder<T extends Orderable>(all: readonly T[]): { group: T | null; components: T[] }[] {
  const sections: { group: T | null; components: T[] }[] = [];
  for (const row of inPageOrder(all)) {
    if (row.item.isGroup) {
      if (row.children.length > 0) sections.push({ group: row.item, components: row.children });
      continue;
    }
    // Consecutive components on their own share one section, so the order stays the page's.
    const last = sections.at(-1);
    if (last && last.group === null) last.components.push(row.item);
    else sections.push({ group: null, components: [row.item] });
  }
  return sections;
}
