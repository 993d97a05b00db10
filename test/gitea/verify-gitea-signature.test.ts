import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { verifyGiteaSignature } from '../../src/server/verify-gitea-signature.js';

const SECRET = 'webhook-secret-for-tests';
// Gitea's own serialisation: indented JSON, as its webhook deliveries are.
const RAW = Buffer.from(
  JSON.stringify({ action: 'created', comment: { id: 5, body: '/scrum-apply' }, repository: { full_name: 'acme/widgets' } }, null, 2),
  'utf8',
);

function sign(body: Buffer, secret = SECRET): string {
  return createHmac('sha256', secret).update(body).digest('hex');
}

describe('verifyGiteaSignature', () => {
  it('accepts the HMAC-SHA256 hex of the raw body', () => {
    expect(verifyGiteaSignature(SECRET, RAW, sign(RAW))).toBe(true);
  });

  it('rejects a missing or empty signature', () => {
    expect(verifyGiteaSignature(SECRET, RAW, undefined)).toBe(false);
    expect(verifyGiteaSignature(SECRET, RAW, '')).toBe(false);
  });

  it('rejects a wrong signature: other secret, other body, one digit changed', () => {
    expect(verifyGiteaSignature(SECRET, RAW, sign(RAW, 'other-secret'))).toBe(false);
    expect(verifyGiteaSignature(SECRET, RAW, sign(Buffer.from('{}')))).toBe(false);
    const good = sign(RAW);
    const flipped = `${good.slice(0, 10)}${good[10] === '0' ? '1' : '0'}${good.slice(11)}`;
    expect(verifyGiteaSignature(SECRET, RAW, flipped)).toBe(false);
  });

  it('rejects the wrong length and non-hex text without throwing', () => {
    const good = sign(RAW);
    expect(verifyGiteaSignature(SECRET, RAW, good.slice(0, 63))).toBe(false);
    expect(verifyGiteaSignature(SECRET, RAW, `${good}0`)).toBe(false);
    expect(verifyGiteaSignature(SECRET, RAW, `${good}00`)).toBe(false);
    expect(verifyGiteaSignature(SECRET, RAW, `sha256=${good}`)).toBe(false);
    expect(verifyGiteaSignature(SECRET, RAW, `${good.slice(0, 62)}zz`)).toBe(false);
    expect(verifyGiteaSignature(SECRET, RAW, ` ${good.slice(1)}`)).toBe(false);
    expect(verifyGiteaSignature(SECRET, RAW, createHmac('sha256', SECRET).update(RAW).digest('base64'))).toBe(false);
  });

  it('accepts upper-case hex: the same digest bytes (documented choice)', () => {
    expect(verifyGiteaSignature(SECRET, RAW, sign(RAW).toUpperCase())).toBe(true);
  });

  it('rejects a signature over the re-serialised body', () => {
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(RAW.toString('utf8'))), 'utf8');
    expect(reserialised.equals(RAW)).toBe(false);
    expect(verifyGiteaSignature(SECRET, RAW, sign(reserialised))).toBe(false);
    expect(verifyGiteaSignature(SECRET, reserialised, sign(RAW))).toBe(false);
  });

  it('signs the bytes, not a decoding of them: a body that is not valid UTF-8 still verifies', () => {
    // Why not @octokit/webhooks-methods: its verify() hashes a string, so the raw body would
    // be decoded and re-encoded first, and bytes like these would then hash differently.
    const raw = Buffer.concat([Buffer.from('{"body":"', 'utf8'), Buffer.from([0xff, 0xfe]), Buffer.from('"}', 'utf8')]);
    expect(Buffer.from(raw.toString('utf8'), 'utf8').equals(raw)).toBe(false);
    expect(verifyGiteaSignature(SECRET, raw, sign(raw))).toBe(true);
    expect(verifyGiteaSignature(SECRET, raw, sign(Buffer.from(raw.toString('utf8'), 'utf8')))).toBe(false);
  });

  it('throws on an empty configured secret, whatever the signature', () => {
    expect(() => verifyGiteaSignature('', RAW, sign(RAW, ''))).toThrow(/^GITEA_WEBHOOK_SECRET is empty/);
    expect(() => verifyGiteaSignature('  ', RAW, undefined)).toThrow(/^GITEA_WEBHOOK_SECRET is empty/);
  });
});
