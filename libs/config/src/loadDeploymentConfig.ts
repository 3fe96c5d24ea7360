import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { z } from 'zod';
import { deploymentConfigSchema, type DeploymentConfig } from './DeploymentConfig';

/** One problem in a deployment config: where it is, what is wrong, and the value found there. */
export interface ConfigIssue {
  /** Dotted path of the field, e.g. `consumers[1].account`. */
  readonly field: string;
  readonly problem: string;
  readonly value: unknown;
}

/**
 * Thrown when a deployment config does not validate. Its message is meant to be printed as
 * is: one line per problem, each naming the field and the offending value.
 */
export class DeploymentConfigError extends Error {
  public readonly issues: readonly ConfigIssue[];

  public constructor(source: string, issues: readonly ConfigIssue[]) {
    const lines = issues.map((issue) => `  - ${issue.field}: ${issue.problem} (got ${describeValue(issue.value)})`);
    super(`Invalid deployment config ${source}:\n${lines.join('\n')}`);
    this.name = 'DeploymentConfigError';
    this.issues = issues;
  }
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

function fieldPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((key, index) => (typeof key === 'number' ? `[${key}]` : `${index === 0 ? '' : '.'}${String(key)}`))
    .join('');
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function toConfigIssue(issue: z.core.$ZodIssue, input: unknown): ConfigIssue {
  if (issue.code === 'unrecognized_keys') {
    return {
      field: fieldPath(issue.path),
      problem: `has unknown field(s) ${issue.keys.join(', ')} (check the spelling)`,
      value: issue.keys.length === 1 ? valueAt(input, [...issue.path, issue.keys[0] ?? '']) : issue.keys,
    };
  }
  return {
    field: fieldPath(issue.path),
    problem: issue.message,
    value: 'input' in issue && issue.input !== undefined ? issue.input : valueAt(input, issue.path),
  };
}

/**
 * Validates a deployment config and applies its defaults.
 *
 * @param input the config as declared (typically the default export of `deploy.config.ts`)
 * @param source where it came from, for the error message
 * @throws DeploymentConfigError naming every invalid field and its value
 */
export function parseDeploymentConfig(input: unknown, source = '(inline)'): DeploymentConfig {
  const result = deploymentConfigSchema.safeParse(input, { reportInput: true });
  if (!result.success) {
    throw new DeploymentConfigError(
      source,
      result.error.issues.map((issue) => toConfigIssue(issue, input)),
    );
  }
  return result.data;
}

/**
 * Loads a config module (`.ts` under tsx or vitest, or `.js`/`.mjs`), takes its default export
 * (or its `config` export) and validates it.
 *
 * @throws DeploymentConfigError when the file is missing, exports nothing usable or is invalid
 */
export async function loadDeploymentConfig(path: string): Promise<DeploymentConfig> {
  const absolutePath = resolve(path);
  if (!existsSync(absolutePath)) {
    throw new DeploymentConfigError(absolutePath, [
      { field: '(file)', problem: 'does not exist', value: absolutePath },
    ]);
  }
  const module = (await import(pathToFileURL(absolutePath).href)) as Record<string, unknown>;
  const declared = unwrapDefault(module['default']) ?? module['config'];
  if (declared === undefined) {
    throw new DeploymentConfigError(absolutePath, [
      { field: '(file)', problem: 'must `export default` the deployment config', value: Object.keys(module) },
    ]);
  }
  return parseDeploymentConfig(declared, absolutePath);
}

/** A CommonJS-transpiled module imported from ESM nests its default export one level down. */
function unwrapDefault(value: unknown): unknown {
  if (value !== null && typeof value === 'object' && '__esModule' in value && 'default' in value) {
    return (value as { default: unknown }).default;
  }
  return value;
}
