import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createProjectGraphAsync, type ProjectGraph } from '@nx/devkit';
import { loadDeploymentConfig } from '@private-api/config';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * An honest cache: Nx may replay a task's result only if every file the task reads is one of its
 * inputs. These checks catch the two ways a fork goes wrong: code that starts reading
 * deploy.config.ts in a project whose targets do not declare it, and a service image directory
 * that no input of the provider's synth covers.
 */
const root = resolve(import.meta.dirname, '../..');

/** Files of a folder, recursively, skipping generated ones. */
function filesUnder(folder: string): string[] {
  return readdirSync(folder).flatMap((entry) => {
    if (['node_modules', 'dist', 'cdk.out', '.nx'].includes(entry)) return [];
    const path = join(folder, entry);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** Every project the given one depends on, transitively (implicit dependencies included). */
function dependenciesOf(graph: ProjectGraph, project: string, seen = new Set<string>()): Set<string> {
  for (const dependency of graph.dependencies[project] ?? []) {
    if (!seen.has(dependency.target) && graph.nodes[dependency.target]) {
      seen.add(dependency.target);
      dependenciesOf(graph, dependency.target, seen);
    }
  }
  return seen;
}

describe('Nx inputs (an honest cache)', () => {
  let graph: ProjectGraph;

  beforeAll(async () => {
    graph = await createProjectGraphAsync({ exitOnError: false });
  });

  it('every project whose code reads deploy.config.ts declares it as an input of its test target (and synth, kit)', () => {
    const readers = Object.values(graph.nodes).filter((node) =>
      filesUnder(resolve(root, node.data.root)).some(
        (file) => /\.(ts|sh)$/.test(file) && /['"`](\.\.\/)+deploy\.config\.ts['"`]/.test(readFileSync(file, 'utf8')),
      ),
    );
    expect(readers.map((node) => node.name)).toEqual(expect.arrayContaining(['provider', 'consumer', 'pipelines', 'config']));
    for (const node of readers) {
      for (const target of ['test', 'synth', 'kit']) {
        const inputs = node.data.targets?.[target]?.inputs;
        if (inputs === undefined && target !== 'test') continue;
        expect(inputs, `${node.name}:${target}`).toEqual(
          expect.arrayContaining([expect.stringMatching(/^(deployConfig|\{workspaceRoot\}\/(deploy\.config\.ts|\*\*\/\*))$/)]),
        );
      }
    }
  });

  it("the provider's synth covers the image directory of the configured service", async () => {
    const config = await loadDeploymentConfig(resolve(root, 'deploy.config.ts'));
    const directories = [
      ...new Set(config.environments.flatMap((environment) => (environment.service.image.kind === 'directory' ? [environment.service.image.directory] : []))),
    ];
    const covered = new Set(['provider', ...dependenciesOf(graph, 'provider')]);
    for (const directory of directories) {
      const owners = Object.values(graph.nodes)
        .filter((node) => directory === node.data.root || directory.startsWith(`${node.data.root}/`))
        .sort((a, b) => b.data.root.length - a.data.root.length);
      const owner = owners[0]?.name;
      expect(owner, `service.image.directory ${directory} must be inside an Nx project (add a project.json there)`).toBeDefined();
      expect(
        owner !== undefined && covered.has(owner),
        `service.image.directory ${directory} belongs to project ${owner}, which provider does not depend on: add it to implicitDependencies in apps/provider/project.json`,
      ).toBe(true);
    }
  });
});
