import { runAction } from './run-action.js';

// The GitHub Action's entry (action.yml → action/index.mjs, bundled by `npm run build:action`).
process.exitCode = await runAction({ stdout: process.stdout, stderr: process.stderr, env: process.env, cwd: process.cwd() });
