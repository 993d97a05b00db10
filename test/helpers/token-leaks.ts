import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';

/** The forms a token could leak in: as is, and as the basic-auth header git sends for `username`. */
export function tokenForms(token: string, username: string): string[] {
  return [token, Buffer.from(`${username}:${token}`).toString('base64'), Buffer.from(token).toString('base64').replace(/=+$/, '')];
}

export function expectNoToken(text: string, token: string, where: string, username: string): void {
  for (const form of tokenForms(token, username)) expect(text.includes(form), `${where} holds the token (${form.slice(0, 8)}…)`).toBe(false);
}

/** Every file under `dir`, as text. */
export function allText(dir: string): string {
  if (!existsSync(dir)) return '';
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => readFileSync(join(entry.parentPath, entry.name)).toString('latin1'))
    .join('\n');
}
