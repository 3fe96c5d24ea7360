import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/** The workspace's package.json: the CDK CLI version the pipeline runs is the one we develop with. */
const ROOT_PACKAGE_JSON = resolve(__dirname, '../../package.json');

/**
 * The `aws-cdk` CLI version of the workspace (its exact devDependency in package.json), which
 * the self-mutation step installs: the pipeline deploys itself with the CLI the tests and the
 * local synth ran, never with whatever `aws-cdk@2` is on the day.
 *
 * @throws Error naming package.json when the devDependency is missing or not an exact version
 */
export function pinnedCdkCliVersion(packageJsonPath: string = ROOT_PACKAGE_JSON): string {
  const manifest = JSON.parse(readFileSync(packageJsonPath, 'utf8')) as { devDependencies?: Record<string, string> };
  const version = manifest.devDependencies?.['aws-cdk'];
  if (version === undefined || !/^\d+\.\d+\.\d+$/.test(version)) {
    throw new Error(`${packageJsonPath}: devDependencies.aws-cdk must be an exact version (x.y.z) for the pipeline to pin, got ${String(version)}`);
  }
  return version;
}

/**
 * The `cdk-assets` version the asset-publishing steps install. Published separately from the
 * CLI (which bundles `@aws-cdk/cdk-assets-lib` instead of this package); 4.7.3 is the newest
 * release on npm (`npm view cdk-assets dist-tags`) at the pinned aws-cdk 2.1148.1.
 *
 * Known gap, checked by running it: 4.7.3 reads asset manifests up to schema 54, and
 * aws-cdk-lib 2.276.0 writes schema 55 (`Cloud assembly schema version mismatch: Maximum schema
 * version supported is 54.x.x, but found 55.0.0`). The unpinned default (`latest`) resolves to
 * the same release, so pinning changes nothing today; bump this to the first release that reads
 * schema 55 (README, "Not supported yet").
 */
export const PINNED_CDK_ASSETS_VERSION = '4.7.3';

/**
 * Installed packages whose npm install scripts our steps need, rebuilt (scripts on) after
 * `npm ci --ignore-scripts`. Found with `npm query ':attr(scripts, [postinstall])'` (the lock
 * file marks the same two with `hasInstallScript`):
 * - `esbuild`: its postinstall checks that the platform binary (`@esbuild/linux-x64`, an
 *   optional dependency `npm ci` installs anyway) matches and puts it in place of the JS
 *   launcher. tsx (synth, smoke steps) and NodejsFunction bundling (synth) run esbuild; the
 *   check turns a broken or missing binary into an install error instead of a synth one.
 * Not rebuilt: `nx` — its postinstall only checks the platform and updates the Nx Cloud client,
 * and the pipeline runs with `NX_NO_CLOUD`.
 */
export const PACKAGES_REBUILT_AFTER_INSTALL: readonly string[] = ['esbuild'];

/**
 * npm's own switch for install scripts, set on every CodeBuild project of the pipeline: the
 * installs CDK Pipelines writes itself (`npm install -g aws-cdk@…`, `cdk-assets@…`) run no
 * package scripts either.
 */
export const NPM_IGNORE_SCRIPTS_ENV = { NPM_CONFIG_IGNORE_SCRIPTS: 'true' } as const;

/**
 * How every step of ours installs the workspace: exactly the lock file, no package scripts (a
 * compromised dependency's install script never runs with the step's role), then only the
 * packages listed above, with their scripts (`--ignore-scripts=false` overrides the variable).
 */
export const INSTALL_COMMANDS: readonly string[] = [
  'npm ci --ignore-scripts --no-audit --no-fund',
  `npm rebuild --ignore-scripts=false ${PACKAGES_REBUILT_AFTER_INSTALL.join(' ')}`,
];

/** The repository's declaration of the Node.js major it runs on (`nvm use`, CI and the pipeline read it). */
const ROOT_NVMRC = resolve(__dirname, '../../.nvmrc');

/**
 * Node.js majors the pipeline's CodeBuild image (`aws/codebuild/standard:7.0`) can select with
 * `runtime-versions` (CodeBuild user guide, "Available runtimes": 18, 20, 22 on standard:7.0).
 */
export const CODEBUILD_NODE_MAJORS: readonly number[] = [18, 20, 22];

/**
 * The Node.js major every CodeBuild step of the pipeline runs: the one `.nvmrc` declares, which
 * is what the tests and the local synth ran on. Without it a step runs the image's default
 * Node.js, which changes under the pipeline whenever AWS updates the image.
 *
 * @throws Error naming .nvmrc when it does not hold a bare major version the image provides
 */
export function pinnedNodeMajor(nvmrcPath: string = ROOT_NVMRC): number {
  const declared = readFileSync(nvmrcPath, 'utf8').trim();
  const major = /^v?(\d+)$/.exec(declared)?.[1];
  if (major === undefined || !CODEBUILD_NODE_MAJORS.includes(Number(major))) {
    throw new Error(
      `${nvmrcPath}: must hold the Node.js major the pipeline runs, one of ${CODEBUILD_NODE_MAJORS.join(', ')} (CodeBuild standard:7.0), got ${JSON.stringify(declared)}`,
    );
  }
  return Number(major);
}

/**
 * The build spec fragment CDK Pipelines merges into every CodeBuild project it writes (synth,
 * self-mutation, asset publishing, our steps): the install phase selects the pinned Node.js major.
 */
export function pinnedRuntimeBuildSpec(nodeMajor: number = pinnedNodeMajor()): Record<string, unknown> {
  return { phases: { install: { 'runtime-versions': { nodejs: String(nodeMajor) } } } };
}
