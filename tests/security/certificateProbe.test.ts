/**
 * The certificate probe on a booted simulated terminal: what the technician's report says when
 * several things are wrong at once, when a CA key cannot be used, and when the chain is given
 * out of order with a decoy.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTerminal } from '../../firmware/core/runtime/terminal';
import { parseCertificate, pemToDer } from '../../firmware/core/security/x509';
import { SCENARIO_DIR } from '../../host-sim/scenario/load';
import { PROFILE, worldWith } from '../runtime/world';

const CERTS = { terminal: 'certs/terminal.pem', chain: ['certs/terminal-ca.pem'], root: 'certs/root.pem' };
const TERMINAL = { tid: '10240001', mid: '898440154110001', profile: PROFILE };

async function certificateResult(changes: Record<string, unknown>) {
  const world = worldWith(changes);
  const terminal = createTerminal(world.ports);
  await terminal.boot();
  return terminal.lastReport?.results.find((r) => r.id === 'auth.certificate');
}

/** The demo terminal CA with one byte of its public key changed, as DER hex. */
function damagedCaKey(fromEnd: number, value: (b: number) => number): string {
  const der = pemToDer(readFileSync(join(SCENARIO_DIR, 'certs/terminal-ca.pem'), 'utf8'))[0];
  const spki = parseCertificate(der).publicKey.spki;
  const at = Buffer.from(der).indexOf(Buffer.from(spki)) + spki.length - fromEnd;
  der[at] = value(der[at]);
  return Buffer.from(der).toString('hex');
}

describe('certificate probe', () => {
  it('shows the worst finding and lists the others: a wrong terminal ID does not hide an expiry', async () => {
    const result = await certificateResult({
      terminal: { ...TERMINAL, tid: '10240002' },
      certificates: { ...CERTS, terminal: 'certs/terminal-expired.pem' },
    });
    expect(result).toMatchObject({ status: 'fail', code: 'cert.wrong-terminal' });
    expect(result?.detail).toMatch(/^certificate is for 10240001, terminal is 10240002 \| also cert\.expired$/);
  });

  it('reports a CA key the parser cannot decode as cert.bad-key, not a crashed probe', async () => {
    const result = await certificateResult({ certificates: { ...CERTS, chain: [damagedCaKey(65, () => 0x05)] } });
    expect(result).toMatchObject({ status: 'fail', code: 'cert.bad-key' });
    expect(result?.detail).toContain('Demo Terminal CA');
  });

  it('reports a CA key the crypto port refuses (a point off the curve) as cert.bad-key, not a crashed probe', async () => {
    const result = await certificateResult({ certificates: { ...CERTS, chain: [damagedCaKey(1, (b) => b ^ 0x01)] } });
    expect(result).toMatchObject({ status: 'fail', code: 'cert.bad-key' });
    expect(result?.detail).toContain('the crypto module cannot use the key');
  });

  it('passes with the chain given out of order beside another acquirer’s CA of the same name', async () => {
    const result = await certificateResult({ certificates: { ...CERTS, chain: ['certs/other-terminal-ca.pem', 'certs/root.pem', 'certs/terminal-ca.pem'] } });
    expect(result).toMatchObject({ status: 'pass', code: 'cert.ok' });
  });
});
