import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import type { StandInReply } from './llm-stand-in.js';
import { repoRoot } from '../repo-root.js';

export const DEMO_EXAMPLES = resolve(repoRoot(), 'examples/demo');
const Answers = z.record(z.string(), z.object({ content: z.string(), delayMs: z.number().optional() }));

/** Recorded answers keyed by file path; the prompt names the file it is about. */
export function recordedAnswers(path = join(DEMO_EXAMPLES, 'llm-answers.json')): (prompt: string) => StandInReply {
  const answers = Answers.parse(JSON.parse(readFileSync(path, 'utf8')));
  const files = Object.keys(answers).sort((a, b) => b.length - a.length);
  return (prompt) => {
    const file = files.find((f) => prompt.includes(`\`${f}\``) || prompt.includes(f));
    const answer = file ? answers[file] : undefined;
    return answer ? { content: answer.content, delayMs: answer.delayMs } : { content: '{"patches": []}' };
  };
}

