import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';

/**
 * Checks mocked GitHub requests against GitHub's own OpenAPI description (the subset of the
 * operations we use, kept in test/fixtures/contracts): method, path template, path/query
 * parameters and the JSON body. A small validator for the schema keywords that subset uses.
 */

export const CONTRACT_PATH = resolve(import.meta.dirname, '../fixtures/contracts/github-rest-subset.json');

export interface JsonSchema {
  type?: string;
  nullable?: boolean;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
}

const Schema: z.ZodType<JsonSchema> = z.lazy(() =>
  z.looseObject({
    type: z.string().optional(),
    nullable: z.boolean().optional(),
    enum: z.array(z.unknown()).optional(),
    properties: z.record(z.string(), Schema).optional(),
    required: z.array(z.string()).optional(),
    additionalProperties: z.union([z.boolean(), Schema]).optional(),
    items: Schema.optional(),
    minItems: z.number().optional(),
    maxItems: z.number().optional(),
    minLength: z.number().optional(),
    maxLength: z.number().optional(),
    oneOf: z.array(Schema).optional(),
    anyOf: z.array(Schema).optional(),
    allOf: z.array(Schema).optional(),
  }),
);

const Operation = z.object({
  operationId: z.string(),
  parameters: z
    .array(z.object({ name: z.string(), in: z.string(), required: z.boolean().optional(), schema: Schema.optional() }))
    .default([]),
  requestBody: z
    .object({ required: z.boolean().optional(), content: z.record(z.string(), z.object({ schema: Schema })) })
    .optional(),
});
type Operation = z.infer<typeof Operation>;

const Contract = z.object({ paths: z.record(z.string(), z.record(z.string(), Operation)) });
export type GitHubContract = z.infer<typeof Contract>;

export function loadGitHubContract(path = CONTRACT_PATH): GitHubContract {
  return Contract.parse(JSON.parse(readFileSync(path, 'utf8')));
}

export interface RequestToCheck {
  method: string;
  /** The request path with its query string, without the API base (e.g. `/repos/o/r/pulls?state=all`). */
  path: string;
  /** The JSON body (already parsed), or undefined when none was sent. */
  body: unknown;
}

/** Every way the request breaks the contract; empty when it conforms. */
export function checkGitHubRequest(contract: GitHubContract, request: RequestToCheck): string[] {
  const method = request.method.toLowerCase();
  const url = new URL(request.path, 'https://api.github.test');
  const segments = url.pathname.split('/').slice(1).map(decodeURIComponent);
  const match = findTemplate(contract, segments);
  if (match === null) return [`${request.method} ${url.pathname}: no such path in the contract`];
  const operation = contract.paths[match.template]?.[method];
  const where = `${request.method} ${match.template}`;
  if (operation === undefined) return [`${where}: method not in the contract`];

  const problems: string[] = [];
  for (const parameter of operation.parameters) {
    if (parameter.in !== 'path' && parameter.in !== 'query') continue;
    const value = parameter.in === 'path' ? match.params[parameter.name] : url.searchParams.get(parameter.name) ?? undefined;
    if (value === undefined) {
      if (parameter.required === true) problems.push(`${where}: missing ${parameter.in} parameter ${parameter.name}`);
      continue;
    }
    if (parameter.schema) {
      const found = checkValue(parseParam(value, parameter.schema), parameter.schema, `${parameter.in} parameter ${parameter.name}`, false);
      problems.push(...found.map((p) => `${where}: ${p}`));
    }
  }
  const known = new Set(operation.parameters.filter((p) => p.in === 'query').map((p) => p.name));
  for (const name of url.searchParams.keys()) {
    if (!known.has(name)) problems.push(`${where}: unknown query parameter ${name}`);
  }
  problems.push(...checkBody(operation, request.body).map((p) => `${where}: ${p}`));
  return problems;
}

function checkBody(operation: Operation, body: unknown): string[] {
  const json = operation.requestBody?.content['application/json'];
  if (body === undefined || body === '') {
    return operation.requestBody?.required === true ? ['missing request body'] : [];
  }
  if (json === undefined) return ['a body was sent but the operation takes none'];
  return checkValue(body, json.schema, 'body', true);
}

function findTemplate(contract: GitHubContract, segments: string[]): { template: string; params: Record<string, string> } | null {
  let best: { template: string; params: Record<string, string>; literals: number } | null = null;
  for (const template of Object.keys(contract.paths)) {
    const parts = template.split('/').slice(1);
    if (parts.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let literals = 0;
    const fits = parts.every((part, i) => {
      const segment = segments[i] ?? '';
      const param = /^\{(.+)\}$/.exec(part);
      if (param?.[1] !== undefined) {
        params[param[1]] = segment;
        return segment.length > 0;
      }
      literals += 1;
      return part === segment;
    });
    if (fits && (best === null || literals > best.literals)) best = { template, params, literals };
  }
  return best;
}

function parseParam(value: string, schema: JsonSchema): unknown {
  if ((schema.type === 'integer' || schema.type === 'number') && /^-?\d+(\.\d+)?$/.test(value)) return Number(value);
  if (schema.type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

/** Validate `value` against `schema`; `strict`: properties not in the schema are errors too. */
export function checkValue(value: unknown, schema: JsonSchema, at: string, strict: boolean): string[] {
  if (value === null && schema.nullable === true) return [];
  const problems: string[] = [];
  if (schema.type !== undefined && !hasType(value, schema.type)) {
    return [`${at}: expected ${schema.type}, got ${describe(value)}`];
  }
  if (schema.enum !== undefined && !schema.enum.some((allowed) => allowed === value)) {
    problems.push(`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(schema.enum)}`);
  }
  if (typeof value === 'string') {
    if (schema.maxLength !== undefined && value.length > schema.maxLength) problems.push(`${at}: longer than ${schema.maxLength}`);
    if (schema.minLength !== undefined && value.length < schema.minLength) problems.push(`${at}: shorter than ${schema.minLength}`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) problems.push(`${at}: fewer than ${schema.minItems} items`);
    if (schema.maxItems !== undefined && value.length > schema.maxItems) problems.push(`${at}: more than ${schema.maxItems} items`);
    const items = schema.items;
    if (items) value.forEach((item, i) => problems.push(...checkValue(item, items, `${at}[${i}]`, strict)));
  }
  if (isRecord(value) && (schema.properties !== undefined || schema.required !== undefined)) {
    const properties = schema.properties ?? {};
    for (const name of schema.required ?? []) {
      if (!(name in value)) problems.push(`${at}: missing required property ${name}`);
    }
    for (const [name, child] of Object.entries(value)) {
      const childSchema = properties[name];
      if (childSchema) problems.push(...checkValue(child, childSchema, `${at}.${name}`, strict));
      else if (typeof schema.additionalProperties === 'object') {
        problems.push(...checkValue(child, schema.additionalProperties, `${at}.${name}`, strict));
      } else if (schema.additionalProperties === false || (strict && schema.additionalProperties === undefined)) {
        problems.push(`${at}: unknown property ${name}`);
      }
    }
  }
  for (const part of schema.allOf ?? []) problems.push(...checkValue(value, part, at, strict));
  if (schema.anyOf && !schema.anyOf.some((part) => checkValue(value, part, at, strict).length === 0)) {
    problems.push(`${at}: matches none of anyOf`);
  }
  if (schema.oneOf) {
    const fits = schema.oneOf.map((part) => checkValue(value, part, at, strict));
    const passing = fits.filter((p) => p.length === 0).length;
    if (passing !== 1) {
      problems.push(passing === 0 ? `${at}: matches none of oneOf (${fits.flat().join('; ')})` : `${at}: matches ${passing} of oneOf`);
    }
  }
  return problems;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'object':
      return isRecord(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'null':
      return value === null;
    default:
      return false;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : `${typeof value} ${JSON.stringify(value)}`.slice(0, 80);
}
