/** `scrum-apply: 2 mechanical fixes in src/format.rs` */
export function renderPrTitle(file: string, patches: number): string {
  return `scrum-apply: ${patches} mechanical ${patches === 1 ? 'fix' : 'fixes'} in ${file}`;
}
