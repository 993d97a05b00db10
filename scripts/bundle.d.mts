/** Bundle `<distDir>/cli/main.js` (tsc's output) into `<distDir>/cli/scrum-apply.mjs`; returns its path. */
export function bundleCli(distDir: string): Promise<string>;
