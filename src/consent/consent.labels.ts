/** A pack entry's label; an id the pack no longer has (a record made under an older pack) has none. */
export function labelOf(
  entries: readonly { readonly id: string; readonly label: string }[],
  id: string,
): string | undefined {
  return entries.find((entry) => entry.id === id)?.label;
}
