/**
 * Makes the certificates the shipped scenarios provision (host-sim/scenarios/certs/*.pem),
 * with openssl and fixed dates: `npm run certs`. The files are committed; run this only to
 * change them. Keys are thrown away: only certificates are kept.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestPki } from './pki';

const OUT = join(__dirname, '..', 'scenarios', 'certs');

const pki = new TestPki();
const root = pki.issue({ subject: '/O=Demo Acquirer/CN=Demo Acquirer Root', key: 'rsa', ca: true, from: '20250101000000Z', to: '20400101000000Z' });
const ca = pki.issue({ subject: '/O=Demo Acquirer/CN=Demo Terminal CA', key: 'ec', issuer: root, ca: true, from: '20250101000000Z', to: '20350101000000Z' });
const terminal = (from: string, to: string) => pki.issue({ subject: '/O=Demo Merchant/CN=10240001', key: 'ec', issuer: ca, ca: false, from, to });
const otherRoot = pki.issue({ subject: '/O=Other Acquirer/CN=Other Acquirer Root', key: 'ec', ca: true, from: '20250101000000Z', to: '20400101000000Z' });
const otherCa = pki.issue({ subject: '/O=Other Acquirer/CN=Demo Terminal CA', key: 'ec', issuer: otherRoot, ca: true, from: '20250101000000Z', to: '20350101000000Z' });
const otherTerminal = pki.issue({ subject: '/O=Demo Merchant/CN=10240001', key: 'ec', issuer: otherCa, ca: false, from: '20260101000000Z', to: '20271231235959Z' });

const files: Record<string, string> = {
  'root.pem': root.pem,
  'terminal-ca.pem': ca.pem,
  'terminal.pem': terminal('20260101000000Z', '20271231235959Z').pem,
  'terminal-expired.pem': terminal('20240101000000Z', '20260630235959Z').pem,
  'terminal-not-yet-valid.pem': terminal('20270101000000Z', '20281231235959Z').pem,
  'terminal-expiring.pem': terminal('20260101000000Z', '20261215235959Z').pem,
  'other-terminal-ca.pem': otherCa.pem,
  'other-terminal.pem': otherTerminal.pem,
};
mkdirSync(OUT, { recursive: true });
for (const [name, pem] of Object.entries(files)) writeFileSync(join(OUT, name), pem);
console.log(`wrote ${Object.keys(files).length} certificates to ${OUT}`);
