import { createHmac, timingSafeEqual } from 'node:crypto';

const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;

/**
 * Checks Gitea's `X-Gitea-Signature`: the HMAC-SHA256 of the raw request body, as 64 hex
 * digits (no `sha256=` prefix). The bytes are compared, not the text, in constant time, so
 * upper-case hex is accepted: it names the same digest, and Gitea sends lower case anyway.
 * The body must be the bytes as received; a re-serialised JSON body does not match (which is
 * also why @octokit/webhooks-methods is not used: its verify() hashes a decoded string).
 *
 * An empty secret throws: anyone could sign with it, so a server must refuse to start.
 */
export function verifyGiteaSignature(secret: string, rawBody: Buffer, signature: string | undefined): boolean {
  if (secret.trim().length === 0) {
    throw new Error('GITEA_WEBHOOK_SECRET is empty: set it to the secret configured on the Gitea webhook');
  }
  if (signature === undefined || !HEX_SHA256.test(signature)) return false;
  const expected = createHmac('sha256', secret).update(rawBody).digest();
  const received = Buffer.from(signature, 'hex');
  return received.length === expected.length && timingSafeEqual(received, expected);
}
