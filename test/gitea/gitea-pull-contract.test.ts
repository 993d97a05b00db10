import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { GITEA_PAGE_LIMIT } from '../../src/forge/gitea/gitea-api.js';
import { GiteaBranchInfo, GiteaPull } from '../../src/forge/gitea/gitea-schemas.js';

/**
 * The pull request listing (publishing and `scrum-apply stats` share it) against Gitea's own
 * Swagger description, cut down to that operation in test/fixtures/contracts: every field our
 * schemas read exists in Gitea's `PullRequest` / `PRBranchInfo` with the type we expect, and
 * the query we send names only parameters of the operation.
 */

const SwaggerProperty = z.object({ type: z.string().optional(), $ref: z.string().optional(), enum: z.array(z.string()).optional() });
const SwaggerParameter = z.object({ name: z.string(), in: z.string(), type: z.string().optional(), enum: z.array(z.string()).optional() });
const Contract = z.object({
  paths: z.object({ '/repos/{owner}/{repo}/pulls': z.object({ get: z.object({ parameters: z.array(SwaggerParameter) }) }) }),
  definitions: z.record(z.string(), z.object({ properties: z.record(z.string(), SwaggerProperty) })),
});

const contract = Contract.parse(JSON.parse(readFileSync(resolve(import.meta.dirname, '../fixtures/contracts/gitea-pull-list.json'), 'utf8')));

/** The Swagger type a zod field stands for, looking through optional, nullable and transforms. */
function swaggerType(schema: z.ZodType): string {
  const def = schema.def;
  if (def instanceof Object && 'innerType' in def && def.innerType instanceof z.ZodType) return swaggerType(def.innerType);
  if (schema instanceof z.ZodPipe && schema.in instanceof z.ZodType) return swaggerType(schema.in);
  if (schema instanceof z.ZodString || schema instanceof z.ZodEnum) return 'string';
  if (schema instanceof z.ZodNumber) return 'integer';
  if (schema instanceof z.ZodBoolean) return 'boolean';
  if (schema instanceof z.ZodArray) return 'array';
  if (schema instanceof z.ZodObject) return 'object';
  return `unknown (${def.type})`;
}

function contractType(definition: string, field: string): string {
  const property = contract.definitions[definition]?.properties[field];
  if (property === undefined) return 'missing';
  if (property.$ref !== undefined) return 'object';
  return property.type ?? 'untyped';
}

describe('the Gitea pull request listing against Gitea’s Swagger description', () => {
  it.each([
    ['PullRequest', GiteaPull],
    ['PRBranchInfo', GiteaBranchInfo],
  ] as const)('every field our schema reads is in %s, with its type', (definition, schema) => {
    const ours = Object.entries(schema.shape).map(([field, type]) => [field, swaggerType(type)]);
    const theirs = ours.map(([field]) => [field, contractType(definition, field ?? '')]);
    expect(ours.length).toBeGreaterThan(3);
    expect(ours).toEqual(theirs);
  });

  it('the listing query uses the operation’s own parameters and values', () => {
    const parameters = contract.paths['/repos/{owner}/{repo}/pulls'].get.parameters.filter((p) => p.in === 'query');
    const byName = new Map(parameters.map((p) => [p.name, p]));
    expect(byName.get('state')?.enum).toContain('all');
    expect(byName.get('limit')?.type).toBe('integer');
    expect(byName.get('page')?.type).toBe('integer');
    expect(GITEA_PAGE_LIMIT).toBe(50);
  });
});
