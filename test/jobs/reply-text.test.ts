import { describe, expect, it } from 'vitest';
import { MAX_REPLY_LENGTH, resultsReply } from '../../src/jobs/reply-text.js';

describe('resultsReply', () => {
  it('keeps a normal table whole', () => {
    const reply = resultsReply('| file | outcome |\n|---|---|\n| `a.rs` | PR opened |\n', 'octocat', '/scrum-apply');
    expect(reply).toContain('requested by octocat');
    expect(reply).toContain('| `a.rs` | PR opened |');
    expect(reply).not.toContain('(cut:');
  });

  it('cuts a huge report to what a comment may hold, and says so', () => {
    const huge = '| `x.rs` | error | | reason |\n'.repeat(10_000);
    const reply = resultsReply(huge, 'octocat', '/scrum-apply');
    expect(huge.length).toBeGreaterThan(MAX_REPLY_LENGTH);
    expect(reply.length).toBeLessThanOrEqual(MAX_REPLY_LENGTH);
    expect(reply).toMatch(/\(cut: the full report is in the audit log\)\n$/);
  });

  it('keeps only safe characters of the requester name (no mentions or markup smuggled in)', () => {
    expect(resultsReply('', 'eve <b>@all</b>', '/scrum-apply')).toContain('requested by eveballb');
  });
});
