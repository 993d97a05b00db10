import type { CommandJob, ConnectJob, JobConnection } from './command-job.js';
import type { ServerForgeKind } from './repo-ref.js';

/**
 * How this worker connects to each forge it serves: registered by the forge's receiver as it
 * starts (the GitHub App once Probot hands it the app, Gitea from its settings). A job for a
 * forge this worker does not serve fails with a clear reason.
 */
export interface JobConnectors {
  register(kind: ServerForgeKind, connect: ConnectJob): void;
  connect(job: CommandJob): Promise<JobConnection>;
}

export function createJobConnectors(): JobConnectors {
  const connectors = new Map<ServerForgeKind, ConnectJob>();
  return {
    register: (kind, connect) => void connectors.set(kind, connect),
    async connect(job) {
      const connect = connectors.get(job.ref.forge);
      if (connect === undefined) throw new Error(`this worker is not set up for ${job.ref.forge} (no ${job.ref.forge} settings)`);
      return connect(job);
    },
  };
}
