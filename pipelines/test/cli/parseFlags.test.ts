import { describe, expect, it } from 'vitest';
import { errorOf } from './argvFixtures';
import { type FlagSpec, type FlagsParse, parseFlags, wholeNumber } from '../../src/cli/parseFlags';

type Name = '--name' | '--count' | '--note';

const FLAGS: Readonly<Record<Name, FlagSpec>> = {
  '--name': { required: true, check: (value) => (/^[a-z]+$/.test(value) ? undefined : 'must be lowercase letters') },
  '--count': { required: true, check: wholeNumber(1, 10) },
  '--note': { required: false, check: () => undefined },
};

/** The values as a plain object; fails the test when parsing did not succeed. */
function valuesOf(result: FlagsParse<Name>): Partial<Record<Name, string>> {
  if (result.kind !== 'values') throw new Error(`expected values, got ${JSON.stringify(result)}`);
  return Object.fromEntries(result.values);
}

describe('parseFlags', () => {
  it('accepts --flag value and --flag=value, leaving an absent optional flag out', () => {
    // GIVEN both spellings and no --note
    // WHEN they are parsed
    const result = parseFlags(['--name', 'alpha', '--count=3'], FLAGS);
    // THEN both values come back, and nothing for --note
    expect(valuesOf(result)).toEqual({ '--name': 'alpha', '--count': '3' });
  });

  it('returns an optional flag when given, keeping an "=" inside the value', () => {
    expect(valuesOf(parseFlags(['--name', 'alpha', '--count', '3', '--note=a=b'], FLAGS))).toEqual({
      '--name': 'alpha',
      '--count': '3',
      '--note': 'a=b',
    });
  });

  it.each([['--help'], ['-h']])('asks for help on %s, even after an error', (flag) => {
    expect(parseFlags(['positional', flag], FLAGS).kind).toBe('error');
    expect(parseFlags(['--unknown', 'x', flag], FLAGS).kind).toBe('error');
    expect(parseFlags(['--name', 'alpha', flag, 'positional'], FLAGS)).toEqual({ kind: 'help' });
    expect(parseFlags([flag], FLAGS)).toEqual({ kind: 'help' });
  });

  it('fails on a positional argument', () => {
    expect(errorOf(parseFlags(['--name', 'alpha', 'extra'], FLAGS))).toBe('unexpected argument "extra"');
  });

  it('fails on an unknown option, naming it without its value', () => {
    expect(errorOf(parseFlags(['--colour=red'], FLAGS))).toBe('unknown option --colour');
  });

  it('does not take an inherited property for a flag', () => {
    expect(errorOf(parseFlags(['--name', 'alpha', 'toString'], FLAGS))).toBe('unexpected argument "toString"');
    expect(errorOf(parseFlags(['--constructor', 'x'], FLAGS))).toBe('unknown option --constructor');
  });

  it('fails on a repeated option, whatever the spelling', () => {
    expect(errorOf(parseFlags(['--name', 'alpha', '--name=beta'], FLAGS))).toBe('--name given more than once');
  });

  it.each([
    ['empty after =', ['--name=']],
    ['blank after =', ['--name=  ']],
    ['blank as the next argument', ['--name', ' ']],
    ['last argument', ['--count', '3', '--name']],
    ['followed by another flag', ['--name', '--count', '3']],
  ])('fails when a flag has no value (%s)', (_case, argv) => {
    expect(errorOf(parseFlags(argv, FLAGS))).toBe('--name needs a value');
  });

  it('takes a single-dash argument as a value', () => {
    expect(valuesOf(parseFlags(['--name', 'alpha', '--count', '3', '--note', '-x'], FLAGS))['--note']).toBe('-x');
  });

  it('fails on the first missing required flag, in the order of the flags', () => {
    expect(errorOf(parseFlags([], FLAGS))).toBe('missing --name');
    expect(errorOf(parseFlags(['--name', 'alpha'], FLAGS))).toBe('missing --count');
  });

  it('fails with the check\'s message and the value given', () => {
    expect(errorOf(parseFlags(['--name', 'Alpha', '--count', '3'], FLAGS))).toBe('--name must be lowercase letters (got "Alpha")');
  });

  it('checks the flags in their declared order, not the command line\'s', () => {
    expect(errorOf(parseFlags(['--count', '0', '--name', 'A'], FLAGS))).toBe('--name must be lowercase letters (got "A")');
  });
});

describe('wholeNumber', () => {
  it('accepts the bounds and what lies between', () => {
    const check = wholeNumber(0, 60);
    expect([check('0'), check('7'), check('60')]).toEqual([undefined, undefined, undefined]);
  });

  it.each([['-1'], ['61'], ['1.5'], ['1e1'], [' 7'], ['seven']])('rejects %j', (value) => {
    expect(wholeNumber(0, 60)(value)).toBe('must be a whole number from 0 to 60');
  });

  it('names the unit when given one', () => {
    expect(wholeNumber(1, 900_000, 'milliseconds')('0')).toBe('must be a whole number of milliseconds from 1 to 900000');
  });
});
