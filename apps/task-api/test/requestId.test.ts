import { describe, expect, it } from 'vitest';
import { newRequestId } from '../src/requestId';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('newRequestId', () => {
  // Enough ids to cross several refills of the random bytes (256 ids each).
  const ids = Array.from({ length: 5_000 }, () => newRequestId());

  it('GIVEN many ids THEN each is a lowercase version 4, variant 10 UUID', () => {
    expect(ids.filter((id) => !UUID_V4.test(id))).toEqual([]);
  });

  it('GIVEN many ids THEN they are all different', () => {
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('GIVEN many ids THEN every random hex position takes every digit (the bytes are random, not reused)', () => {
    for (let position = 0; position < 36; position += 1) {
      if ([8, 13, 14, 18, 19, 23].includes(position)) continue; // dashes, version, variant
      const digits = new Set(ids.map((id) => id[position]));
      expect(digits.size, `position ${position}`).toBe(16);
    }
    expect(new Set(ids.map((id) => id[19]))).toEqual(new Set(['8', '9', 'a', 'b']));
  });

  it('GIVEN an id THEN it is a string of its own, unchanged by later ids', () => {
    const first = newRequestId();
    const copy = `${first}`;
    for (let i = 0; i < 600; i += 1) newRequestId();
    expect(first).toBe(copy);
  });
});
