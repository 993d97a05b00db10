import { createHash } from 'node:crypto';

/**
 * Git's object formats, for the few objects the bot writes itself: a blob, the trees on one
 * path, a commit. (Reading and writing them in-process spares a git process per step.)
 */
export type ObjectFormat = 'sha1' | 'sha256';

export function objectFormatOf(name: string): ObjectFormat {
  if (name === 'sha1' || name === 'sha256') return name;
  throw new Error(`unsupported git object format: ${JSON.stringify(name)}`);
}

/** Bytes of a raw object id in a tree. */
export function oidBytes(format: ObjectFormat): number {
  return format === 'sha1' ? 20 : 32;
}

/** One entry of a tree object, raw: the mode as written (`40000` for a tree), the name's bytes. */
export interface RawTreeEntry {
  mode: string;
  name: Buffer;
  oid: Buffer;
}

export function parseTree(content: Buffer, format: ObjectFormat): RawTreeEntry[] {
  const size = oidBytes(format);
  const entries: RawTreeEntry[] = [];
  let at = 0;
  while (at < content.length) {
    const space = content.indexOf(0x20, at);
    const nul = space < 0 ? -1 : content.indexOf(0, space + 1);
    if (space < 0 || nul < 0 || nul + 1 + size > content.length) throw new Error('malformed tree object');
    entries.push({
      mode: content.toString('latin1', at, space),
      name: content.subarray(space + 1, nul),
      oid: content.subarray(nul + 1, nul + 1 + size),
    });
    at = nul + 1 + size;
  }
  return entries;
}

/** The entries in the order given (replacing an entry's id never changes git's order). */
export function serializeTree(entries: readonly RawTreeEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) parts.push(Buffer.from(`${entry.mode} `, 'latin1'), entry.name, Buffer.from([0]), entry.oid);
  return Buffer.concat(parts);
}

/** An object as git stores it (`<type> <size>\0<content>`, before compression) and its id. */
export function encodeObject(format: ObjectFormat, type: 'blob' | 'tree' | 'commit', content: Buffer): { oid: string; raw: Buffer } {
  const raw = Buffer.concat([Buffer.from(`${type} ${content.length}\0`, 'latin1'), content]);
  return { oid: createHash(format).update(raw).digest('hex'), raw };
}

/** The tree and parents a commit object names. */
export function parseCommitHeader(content: Buffer): { tree: string; parents: string[] } {
  const end = content.indexOf('\n\n');
  const lines = content.toString('utf8', 0, end < 0 ? content.length : end).split('\n');
  const tree = lines[0]?.startsWith('tree ') ? lines[0].slice(5) : null;
  if (tree === null) throw new Error('malformed commit object');
  const parents = lines.filter((line) => line.startsWith('parent ')).map((line) => line.slice(7));
  return { tree, parents };
}

export interface Signature {
  name: string;
  email: string;
  when: Date;
}

/** `+0100`-style offset of `when` in this machine's zone, as `git commit-tree` writes it. */
function zoneOffset(when: Date): string {
  const minutes = -when.getTimezoneOffset();
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
}

/** Throws unless `who` can stand in a commit header (no `<`, `>`, newline or NUL). */
export function assertIdentity(role: 'author' | 'committer', who: { name: string; email: string }): void {
  if (/[<>\n\0]/.test(who.name) || /[<>\n\0]/.test(who.email)) throw new Error(`invalid ${role} identity: ${JSON.stringify(`${who.name} <${who.email}>`)}`);
}

function signatureLine(role: 'author' | 'committer', who: Signature): string {
  assertIdentity(role, who);
  return `${role} ${who.name} <${who.email}> ${Math.floor(who.when.getTime() / 1000)} ${zoneOffset(who.when)}`;
}

/** A commit object's content; the message ends with exactly one newline, as commit-tree makes it. */
export function commitContent(input: { tree: string; parents: string[]; author: Signature; committer: Signature; message: string }): Buffer {
  const header = [
    `tree ${input.tree}`,
    ...input.parents.map((parent) => `parent ${parent}`),
    signatureLine('author', input.author),
    signatureLine('committer', input.committer),
  ];
  return Buffer.from(`${header.join('\n')}\n\n${input.message.replace(/\n*$/, '')}\n`, 'utf8');
}
