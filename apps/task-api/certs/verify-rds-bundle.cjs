// Verifies the Amazon RDS CA bundle of the build context before the image ships it (Dockerfile,
// build stage; see README.md here). Plain Node.js, no dependencies.
//
//   node verify-rds-bundle.cjs <certs dir> [<output dir>]
//
// <certs dir>/rds-global-bundle.pem absent: nothing to ship; the output dir is created empty.
// Present: it must match the SHA-256 in rds-global-bundle.pem.sha256 (`sha256sum` format) and hold
// only PEM certificates that are CAs of Amazon RDS ("O=Amazon Web Services, Inc.", "OU=Amazon RDS",
// "CN=Amazon RDS …"), each self-signed or issued by another one in the bundle, with at least one
// current "Amazon RDS <region> Root CA RSA2048 G1". Then it is copied, byte for byte, to
// <output dir>/global-bundle.pem. Any failure: a message on stderr and exit code 1.
'use strict';
const { createHash, X509Certificate } = require('node:crypto');
const { copyFileSync, existsSync, mkdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const BUNDLE = 'rds-global-bundle.pem';
const CHECKSUM = `${BUNDLE}.sha256`;
const PEM_BLOCK = /-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+?-----END CERTIFICATE-----/g;
const CURRENT_ROOT = /^Amazon RDS [a-z0-9-]+ Root CA RSA2048 G1$/;

function fail(message) {
  process.stderr.write(`verify-rds-bundle: ${message}\n`);
  process.exit(1);
}

const [certsDir, outDir] = process.argv.slice(2);
if (certsDir === undefined) fail('usage: node verify-rds-bundle.cjs <certs dir> [<output dir>]');
const bundlePath = join(certsDir, BUNDLE);
const checksumPath = join(certsDir, CHECKSUM);
if (outDir !== undefined) mkdirSync(outDir, { recursive: true });

if (!existsSync(bundlePath)) {
  if (existsSync(checksumPath)) fail(`${CHECKSUM} without ${BUNDLE}`);
  process.stdout.write(`verify-rds-bundle: no ${BUNDLE} in ${certsDir}: the image ships no RDS CA bundle\n`);
  process.exit(0);
}

// 1. The checksum recorded when the bundle was fetched and reviewed.
if (!existsSync(checksumPath)) fail(`${BUNDLE} has no ${CHECKSUM} next to it`);
const bytes = readFileSync(bundlePath);
const recorded = new RegExp(`^([0-9a-f]{64}) [ *]${BUNDLE.replace(/\./g, '\\.')}\\r?\\n?$`).exec(readFileSync(checksumPath, 'utf8'));
if (recorded === null) fail(`${CHECKSUM} must be one line "<sha256>  ${BUNDLE}" (sha256sum's output)`);
const actual = createHash('sha256').update(bytes).digest('hex');
if (actual !== recorded[1]) fail(`${BUNDLE} has SHA-256 ${actual}, ${CHECKSUM} says ${recorded[1]}`);

// 2. What it holds: nothing but Amazon RDS CA certificates.
const text = bytes.toString('utf8');
const blocks = text.match(PEM_BLOCK) ?? [];
if (blocks.length === 0) fail(`${BUNDLE} holds no PEM certificate`);
if (text.replace(PEM_BLOCK, '').trim() !== '') fail(`${BUNDLE} holds something else than PEM certificates`);
const certs = blocks.map((pem, i) => {
  try {
    return new X509Certificate(pem);
  } catch (err) {
    return fail(`certificate ${i + 1} does not parse: ${err.message}`);
  }
});
// Node escapes RFC 4514 specials in names ("Amazon Web Services\\, Inc."): compare them unescaped.
const field = (name, cert) =>
  cert.subject
    .split('\n')
    .find((line) => line.startsWith(`${name}=`))
    ?.slice(name.length + 1)
    .replace(/\\(.)/g, '$1');
for (const [i, cert] of certs.entries()) {
  const cn = field('CN', cert);
  const where = `certificate ${i + 1} (${cn ?? cert.subject.replace(/\n/g, ', ')})`;
  if (field('O', cert) !== 'Amazon Web Services, Inc.' || field('OU', cert) !== 'Amazon RDS' || !cn?.startsWith('Amazon RDS ')) {
    fail(`${where} is not an Amazon RDS certificate`);
  }
  if (!cert.ca) fail(`${where} is not a CA certificate`);
  const selfSigned = cert.checkIssued(cert) && cert.verify(cert.publicKey);
  if (!selfSigned && !certs.some((issuer) => issuer !== cert && cert.checkIssued(issuer) && cert.verify(issuer.publicKey))) {
    fail(`${where} is neither self-signed nor issued by another certificate of the bundle`);
  }
}
const now = Date.now();
const currentRoots = certs.filter(
  (cert) => CURRENT_ROOT.test(field('CN', cert) ?? '') && Date.parse(cert.validFrom) <= now && now <= Date.parse(cert.validTo),
);
if (currentRoots.length === 0) fail(`${BUNDLE} holds no current "Amazon RDS <region> Root CA RSA2048 G1"`);

if (outDir !== undefined) copyFileSync(bundlePath, join(outDir, 'global-bundle.pem'));
const regions = currentRoots.map((cert) => field('CN', cert)?.replace(/^Amazon RDS | Root CA RSA2048 G1$/g, '')).sort();
process.stdout.write(
  `verify-rds-bundle: ${BUNDLE} ok: sha256 ${actual}, ${certs.length} Amazon RDS CA certificates, ` +
    `current RSA2048 G1 roots for ${regions.length}: ${regions.join(' ')}\n`,
);
