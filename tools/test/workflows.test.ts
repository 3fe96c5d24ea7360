import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const workflowsDirectory = resolve(import.meta.dirname, '../../.github/workflows');

interface ActionUse {
  readonly file: string;
  readonly line: number;
  readonly action: string;
  readonly ref: string;
  readonly comment?: string;
  /** The lines of the step the `uses:` belongs to (up to the next step or a shallower line). */
  readonly step: readonly string[];
}

const USES = /^(\s*)(-\s+)?uses:\s*['"]?([^@\s'"]+)@([^\s'"#]+)['"]?\s*(?:#\s*(.*))?$/;

/** Every `uses: owner/repo@ref` of a workflow, with its step's lines (workflow YAML as GitHub writes it: block style). */
function actionUses(file: string, text: string): ActionUse[] {
  const lines = text.split('\n');
  const uses: ActionUse[] = [];
  for (const [index, line] of lines.entries()) {
    const match = USES.exec(line);
    if (!match) continue;
    const [, indent = '', dash, action = '', ref = '', comment] = match;
    // The step starts at this line (`- uses:`) or at the `- ` line above it at the same depth.
    let start = index;
    if (!dash) {
      while (start > 0 && !/^\s*-\s/.test(lines[start] ?? '')) start -= 1;
    }
    const stepIndent = (/^(\s*)/.exec(lines[start] ?? '')?.[1] ?? indent).length;
    let end = index + 1;
    while (end < lines.length) {
      const next = lines[end] ?? '';
      if (next.trim() !== '' && !next.trim().startsWith('#') && /^(\s*)/.exec(next)?.[1]?.length !== undefined) {
        const depth = (/^(\s*)/.exec(next)?.[1] ?? '').length;
        if (depth < stepIndent || (depth === stepIndent && /^\s*-\s/.test(next))) break;
      }
      end += 1;
    }
    uses.push({ file, line: index + 1, action, ref, comment: comment?.trim(), step: lines.slice(start, end) });
  }
  return uses;
}

/** What is wrong with one `uses:`: not a full commit SHA, no `# vX.Y.Z` comment, a checkout that keeps its token. */
function problemsOf(use: ActionUse): string[] {
  const at = `${use.file}:${use.line} ${use.action}@${use.ref}`;
  const problems: string[] = [];
  if (!/^[0-9a-f]{40}$/.test(use.ref)) problems.push(`${at}: must be pinned to a full 40-hex commit SHA`);
  if (!/^v\d+\.\d+\.\d+$/.test(use.comment ?? '')) problems.push(`${at}: must name its release in a comment (# vX.Y.Z)`);
  if (use.action === 'actions/checkout' && !use.step.some((line) => /^\s*persist-credentials:\s*false\s*(#.*)?$/.test(line))) {
    problems.push(`${at}: must set persist-credentials: false`);
  }
  return problems;
}

function workflowFiles(): string[] {
  return readdirSync(workflowsDirectory).filter((name) => /\.ya?ml$/.test(name));
}

describe('GitHub workflows', () => {
  it('pin every action to a full commit SHA with its release named, and keep no checkout token', () => {
    // GIVEN every workflow of the repository WHEN each `uses:` is checked
    const files = workflowFiles();
    expect(files.length).toBeGreaterThan(0);
    const uses = files.flatMap((file) => actionUses(file, readFileSync(join(workflowsDirectory, file), 'utf8')));
    // THEN there are some, and none has a problem
    expect(uses.map((use) => use.action)).toEqual(expect.arrayContaining(['actions/checkout', 'actions/setup-node', 'nrwl/nx-set-shas']));
    expect(uses.flatMap(problemsOf)).toEqual([]);
  });

  it('fails a tag, a short SHA, a missing release comment and a checkout that keeps its token', () => {
    // GIVEN a workflow with each mistake
    const bad = [
      'jobs:',
      '  build:',
      '    steps:',
      '      - uses: actions/checkout@v4',
      '        with:',
      '          fetch-depth: 0',
      '      - name: node',
      '        uses: actions/setup-node@49933ea',
      '      - uses: nrwl/nx-set-shas@3e9ad7370203c1e93d109be57f3b72eb0eb511b1',
      '      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2',
      '        with:',
      '          persist-credentials: true',
      '      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683 # v4.2.2',
      '        with:',
      '          persist-credentials: false',
    ].join('\n');
    // WHEN it is checked
    const problems = actionUses('bad.yml', bad).flatMap(problemsOf);
    // THEN every mistake is named, the correct step is not
    expect(problems).toEqual([
      'bad.yml:4 actions/checkout@v4: must be pinned to a full 40-hex commit SHA',
      'bad.yml:4 actions/checkout@v4: must name its release in a comment (# vX.Y.Z)',
      'bad.yml:4 actions/checkout@v4: must set persist-credentials: false',
      'bad.yml:8 actions/setup-node@49933ea: must be pinned to a full 40-hex commit SHA',
      'bad.yml:8 actions/setup-node@49933ea: must name its release in a comment (# vX.Y.Z)',
      'bad.yml:9 nrwl/nx-set-shas@3e9ad7370203c1e93d109be57f3b72eb0eb511b1: must name its release in a comment (# vX.Y.Z)',
      'bad.yml:10 actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683: must set persist-credentials: false',
    ]);
  });
});
