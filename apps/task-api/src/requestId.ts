import { randomFillSync } from 'node:crypto';

/**
 * Random (version 4) UUIDs for request ids, e.g. `6f1c2a9e-3b4d-4e5f-8a6b-7c8d9e0f1a2b`, from the
 * same CSPRNG and the same batching as `crypto.randomUUID` (random bytes for many ids per
 * `randomFillSync`). Formatted into one reused byte buffer and read out as a single flat string:
 * `randomUUID` builds its string from some twenty concatenations, which, once per request, cost
 * more than the rest of the request id handling together.
 */
const IDS_PER_FILL = 256;
const random = Buffer.allocUnsafeSlow(16 * IDS_PER_FILL);
let nextId = IDS_PER_FILL;
const HEX_DIGITS = Buffer.from('0123456789abcdef', 'latin1');
const text = Buffer.allocUnsafeSlow(36);
const DASH = 0x2d;

export function newRequestId(): string {
  if (nextId === IDS_PER_FILL) {
    randomFillSync(random);
    nextId = 0;
  }
  const start = nextId * 16;
  nextId += 1;
  let out = 0;
  for (let i = 0; i < 16; i += 1) {
    if (i === 4 || i === 6 || i === 8 || i === 10) text[out++] = DASH;
    let byte = random[start + i] ?? 0;
    if (i === 6) byte = (byte & 0x0f) | 0x40; // version 4
    else if (i === 8) byte = (byte & 0x3f) | 0x80; // variant 10 (RFC 9562)
    text[out++] = HEX_DIGITS[byte >> 4] ?? 0;
    text[out++] = HEX_DIGITS[byte & 0x0f] ?? 0;
  }
  return text.toString('latin1', 0, 36);
}
