/** Bundle the Action's entry (src/cli/action-main.ts) into `<outDir>/index.mjs`; returns its path. */
export function bundleAction(outDir: string): Promise<string>;
