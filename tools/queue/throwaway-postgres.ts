import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';

const run = promisify(execFile);

/** A throw-away PostgreSQL cluster (a test file, a benchmark run): real PostgreSQL, no mocks. */
export interface TestPostgres {
  /** A fresh database on the cluster (`createDatabase` again for another). */
  url: string;
  createDatabase(name: string): Promise<string>;
  /** Stop the server (an outage) and start it again on the same port, keeping the data. */
  pause(): Promise<void>;
  resume(): Promise<void>;
  stop(): Promise<void>;
}

function binDir(): string {
  for (const version of ['17', '16', '15', '14', '13']) {
    const dir = `/usr/lib/postgresql/${version}/bin`;
    if (existsSync(join(dir, 'initdb'))) return dir;
  }
  throw new Error('PostgreSQL is not installed (apt-get install -y postgresql): the queue tests need it');
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** PostgreSQL refuses to run as root: the cluster belongs to `postgres` when the tests run as root. */
function asOwner(command: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0 ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

export async function startPostgres(): Promise<TestPostgres> {
  const bin = binDir();
  const root = await mkdtemp(join(tmpdir(), 'scrum-apply-pg-'));
  await chmod(root, 0o777);
  const dataDir = join(root, 'data');
  const port = await freePort();
  await run(...asOwner(join(bin, 'initdb'), ['-D', dataDir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']));
  const start = () =>
    run(
      ...asOwner(join(bin, 'pg_ctl'), [
        '-D', dataDir, '-l', join(root, 'log'), '-w', '-o',
        `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200`,
        'start',
      ]),
    );
  await start();
  const admin = `postgres://postgres@127.0.0.1:${port}/postgres`;
  async function createDatabase(name: string): Promise<string> {
    const client = new pg.Client({ connectionString: admin });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE "${name}"`);
    } finally {
      await client.end();
    }
    return `postgres://postgres@127.0.0.1:${port}/${name}`;
  }
  return {
    url: await createDatabase('scrum_apply_test'),
    createDatabase,
    async pause() {
      await run(...asOwner(join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'fast', '-w', 'stop']));
    },
    async resume() {
      await start();
    },
    async stop() {
      await run(...asOwner(join(bin, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop'])).catch(() => undefined);
      await rm(root, { recursive: true, force: true });
    },
  };
}
