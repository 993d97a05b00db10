import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';

/**
 * Checks mocked Gitea requests against Gitea's own Swagger 2.0 description (the issue
 * operations the dashboard uses, kept in test/fixtures/contracts/gitea-issues.json): method,
 * path template, query parameter names and enum values, and the JSON body's property names
 * and types against the operation's `body` definition.
 */

const Property = z.looseObject({ type: z.string().optional(), $ref: z.string().optional(), items: z.looseObject({ type: z.string().optional() }).optional() });
const Parameter = z.looseObject({
  name: z.string(),
  in: z.string(),
  type: z.string().optional(),
  required: z.boolean().optional(),
  enum: z.array(z.string()).optional(),
  schema: z.object({ $ref: z.string() }).optional(),
});
const Contract = z.object({
  paths: z.record(z.string(), z.record(z.string(), z.looseObject({ operationId: z.string(), parameters: z.array(Parameter) }))),
  definitions: z.record(z.string(), z.looseObject({ required: z.array(z.string()).optional(), properties: z.record(z.string(), Property).default({}) })),
});
export type GiteaContract = z.infer<typeof Contract>;

export const GITEA_ISSUES_CONTRACT = resolve(import.meta.dirname, '../fixtures/contracts/gitea-issues.json');

export function loadGiteaContract(path = GITEA_ISSUES_CONTRACT): GiteaContract {
  return Contract.parse(JSON.parse(readFileSync(path, 'utf8')));
}

/** Every way the request breaks the contract; `path` is below `/api/v1`, with its query. */
export function checkGiteaRequest(contract: GiteaContract, request: { method: string; path: string; body: unknown }): string[] {
  const url = new URL(request.path, 'https://gitea.test');
  const segments = url.pathname.replace(/^\/api\/v1/u, '').split('/').slice(1);
  const template = Object.keys(contract.paths).find((candidate) => {
    const parts = candidate.split('/').slice(1);
    return parts.length === segments.length && parts.every((part, i) => /^\{.+\}$/u.test(part) || part === segments[i]);
  });
  if (template === undefined) return [`${request.method} ${url.pathname}: no such path in the contract`];
  const operation = contract.paths[template]?.[request.method.toLowerCase()];
  const where = `${request.method} ${template}`;
  if (operation === undefined) return [`${where}: method not in the contract`];

  const problems: string[] = [];
  const query = new Map(operation.parameters.filter((p) => p.in === 'query').map((p) => [p.name, p]));
  for (const [name, value] of url.searchParams) {
    const parameter = query.get(name);
    if (parameter === undefined) problems.push(`${where}: unknown query parameter ${name}`);
    else if (parameter.enum !== undefined && !parameter.enum.includes(value)) problems.push(`${where}: ${name}=${value} is not one of ${parameter.enum.join(', ')}`);
    else if (parameter.type === 'integer' && !/^\d+$/u.test(value)) problems.push(`${where}: ${name}=${value} is not an integer`);
  }
  const bodyParameter = operation.parameters.find((p) => p.in === 'body');
  if (request.body === undefined) return problems;
  if (bodyParameter?.schema === undefined) return [...problems, `${where}: a body was sent but the operation takes none`];
  const definition = contract.definitions[bodyParameter.schema.$ref.replace('#/definitions/', '')];
  if (definition === undefined) return [...problems, `${where}: ${bodyParameter.schema.$ref} missing from the contract`];
  const body = z.record(z.string(), z.unknown()).safeParse(request.body);
  if (!body.success) return [...problems, `${where}: the body is not an object`];
  for (const name of definition.required ?? []) if (!(name in body.data)) problems.push(`${where}: body lacks ${name}`);
  for (const [name, value] of Object.entries(body.data)) {
    const property = definition.properties[name];
    if (property === undefined) problems.push(`${where}: body property ${name} is not in the contract`);
    else if (!fits(value, property)) problems.push(`${where}: body property ${name} is not ${property.type ?? 'what the contract says'}`);
  }
  return problems;
}

function fits(value: unknown, property: z.infer<typeof Property>): boolean {
  switch (property.type) {
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'integer':
      return Number.isInteger(value);
    case 'array':
      return Array.isArray(value) && (property.items?.type !== 'integer' || value.every((item) => Number.isInteger(item)));
    default:
      return true;
  }
}
