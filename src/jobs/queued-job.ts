import { z } from 'zod';
import type { CommandJob } from './command-job.js';
import { isValidRepoName } from './repo-ref.js';

const name = z.string().refine(isValidRepoName, 'not a repository name');

/** A job as read back from the database: checked, since another version may have written it. */
const QueuedJob = z.object({
  ref: z.object({ forge: z.enum(['github', 'gitea']), owner: name, repo: name }),
  installationId: z.number().int().nullable(),
  serverUrl: z.string().nullable(),
  command: z.object({
    type: z.literal('command'),
    dryRun: z.boolean(),
    force: z.boolean(),
    maxFiles: z.number().int().positive().optional(),
    paths: z.array(z.string()),
  }),
  actor: z.string(),
  issueNumber: z.number().int().positive(),
  commentId: z.number().int(),
  deliveryId: z.string().min(1),
  actions: z
    .array(
      z.union([
        z.object({ type: z.enum(['rebuild', 'retry', 'allow']), file: z.string().min(1) }),
        z.object({ type: z.enum(['run-now', 'retry-red']) }),
      ]),
    )
    .optional(),
});

export function parseQueuedJob(data: unknown): CommandJob {
  const { actions, ...job } = QueuedJob.parse(data);
  const { maxFiles, ...command } = job.command;
  return { ...job, command: { ...command, ...(maxFiles === undefined ? {} : { maxFiles }) }, ...(actions === undefined ? {} : { actions }) };
}
