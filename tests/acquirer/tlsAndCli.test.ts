/**
 * The acquirer over TLS with openssl-made certificates (checked by node:tls and by openssl
 * s_client: TLS 1.2 or newer, 1.1 refused), and `npm run acquirer` as a person runs it: the
 * registry from a file, the log on stdout without keys or PANs.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAcquirer, type Acquirer } from '../../host-sim/acquirer/server';
import { issueAcquirerTls, type AcquirerTls } from '../../host-sim/acquirer/tlsCertificates';
import { AcquirerCli, ROOT } from './cliProcess';
import { config, field, HostClient, PAN, profile, saleFrame, signOn, TMK } from './hostClient';

/** Runs a command without blocking the event loop (the acquirer is in this process); stdin is closed at once. */
function run(command: string, args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((done) => {
    const child = spawn(command, args, { cwd: ROOT });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => done({ code, output }));
    child.stdin.end();
  });
}

describe('acquirer over TLS', () => {
  let tls: AcquirerTls;
  let acquirer: Acquirer;
  let rootPath: string;
  beforeAll(async () => {
    tls = issueAcquirerTls();
    rootPath = join(mkdtempSync(join(tmpdir(), 'xspos-acq-')), 'root.pem');
    writeFileSync(rootPath, tls.rootPem);
    acquirer = await startAcquirer(config(profile('cup-style'), [{}], { tls: { cert: tls.cert, key: tls.key } }));
  });
  afterAll(async () => acquirer.close());

  it('signs a terminal on over TLS 1.2 or newer, the certificate verified against the openssl-made root', async () => {
    const client = await HostClient.connect(acquirer.ports[0], { ca: tls.rootPem });
    expect(['TLSv1.2', 'TLSv1.3']).toContain((client.socket as import('node:tls').TLSSocket).getProtocol());
    expect(field((await signOn(client)).answer, 39)).toBe('00');
    client.close();
  });

  it('openssl s_client: TLS 1.2 verifies; TLS 1.1 is refused even by a client that allows it', async () => {
    const ok = await run('openssl', ['s_client', '-connect', `127.0.0.1:${acquirer.ports[1]}`, '-CAfile', rootPath, '-verify_return_error', '-verify_ip', '127.0.0.1', '-tls1_2', '-brief']);
    expect(ok.output).toMatch(/Protocol version: TLSv1\.2/);
    expect(ok.output).toMatch(/Verification: OK/);
    const old = await run('openssl', ['s_client', '-connect', `127.0.0.1:${acquirer.ports[1]}`, '-tls1_1', '-cipher', 'DEFAULT@SECLEVEL=0', '-brief']);
    expect(old.code).not.toBe(0);
    expect(old.output).toMatch(/alert protocol version/); // the server's alert 70, not the client giving up
  });
});

describe('npm run acquirer', () => {
  let cli: AcquirerCli | undefined;
  afterEach(() => cli?.stop());

  function writeRegistry(terminal: Record<string, unknown>): string {
    const dir = mkdtempSync(join(tmpdir(), 'xspos-acq-'));
    const path = join(dir, 'registry.json');
    const registry = { profile: join(ROOT, 'host-sim', 'scenarios', 'profiles', 'lakala-style.json'), seed: 3, ports: [0, 0], terminals: [{ tid: '10240001', mid: '102440153990001', masterKey: TMK, status: 'activated', ...terminal }] };
    writeFileSync(path, JSON.stringify(registry));
    return path;
  }

  it('listens on the registry\'s ports and prints what it received and answered, never a key or a PAN', async () => {
    const acquirerCli = (cli = new AcquirerCli(writeRegistry({})));
    const seen = (pattern: RegExp) => acquirerCli.seen(pattern);
    const [, port] = await seen(/primary listening on 127\.0\.0\.1:(\d+)/);
    const client = await HostClient.connect(Number(port));
    const keys = await signOn(client);
    expect(field(await client.answer(saleFrame('000002', 100, keys.mac)), 39)).toBe('00');
    client.close();
    await seen(/out +0210 stan 000002 tid 10240001 code 00/);
    expect(acquirerCli.stdout).toMatch(/in +0800 stan 000001 tid 10240001/);
    for (const secret of [TMK, keys.pin, keys.mac, keys.data!, PAN]) expect(acquirerCli.stdout.toUpperCase()).not.toContain(secret);
  });

  it('refuses a registry whose master key is not 32 hex digits, naming the field and not the value', async () => {
    const { code, output } = await run(join(ROOT, 'node_modules', '.bin', 'ts-node'), ['--transpile-only', 'host-sim/acquirer/cli.ts', writeRegistry({ masterKey: 'SECRETSECRET' })]);
    expect(code).toBe(2);
    expect(output).toContain('terminals[0].masterKey: must be 32 hex digits');
    expect(output).not.toContain('SECRETSECRET');
  });
});
