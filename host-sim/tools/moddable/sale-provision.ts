/**
 * SIMULATOR ONLY: provisions the Moddable simulator's terminal in service for the heap runs of
 * docs/memory.md (host-sim/tools/moddable/README.md):
 *
 *   npx ts-node -P tsconfig.json --transpile-only host-sim/tools/moddable/sale-provision.ts [amount=1234] [--diagnosis] [--registry <file>] [--tid <tid>] [--tap <port>] [--update <url>] [--ntp <host>] [--reader <port>]
 *
 * Writes /tmp/xspos-nvs/ (emptied first) as firmware/device/sim/fileValueStore.ts reads it, one
 * file per value (`<domain>/<key>.txt|.i32|.bool|.bin`), through the firmware's own writers:
 *   terminal/tid, mid (the registry's entry for the TID), profile (CBOR of the registry's
 *     profile: the demo acquirer, hosts 127.0.0.1:5683/5684), lang (zh, as a scenario's default);
 *   certs/terminal, chain, root and capk/count, k0… (the demo PKI and CA key table a scenario
 *     gets by default, host-sim/scenario/load.ts);
 *   wifi/ssid (mcsim's simulated join takes any network);
 *   dev/demoSale (the amount: firmware/device/sim/demoSale.ts sells once after boot) and, with
 *     --diagnosis, dev/demoDiagnosis (a second sale after the host disables the TID);
 *   master-key.bin: the registry's master key for the TID, raw bytes (firmware/device/sim/simMasterKey.ts).
 * With --tap <port> (issue 9's contactless read): dev/demoTap (the amount) instead of dev/demoSale,
 *   dev/pn532Port (the simulator fits a PN532 over TCP to the virtual one on 127.0.0.1:<port>,
 *   sim/simBoard.ts), and the CA keys of host-sim/scenarios/capk/cards.json (the demo keys and the
 *   A000000333 E1/E2 keys make-cards certified the sample cards under).
 * With --update <url> (issue 10's update): update/url (the update server's base URL, update-serve.ts),
 *   update/enabled true and dev/demoUpdate instead of dev/demoSale (firmware/device/sim/demoUpdate.ts:
 *   one update check once signed on).
 * With --reader <port>: dev/pn532Port only (the reader fitted, no tap sale; run.sh's READER=on, update).
 * With --ntp <host>: the profile's ntpServers are [<host>] (run.sh's loopback SNTP server, sntp-serve.js).
 * The key is never printed. `rm -rf /tmp/xspos-nvs` takes it all away again.
 */
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { SettingValue, SettingsPort } from '../../../firmware/core/ports';
import { fromHex } from '../../../firmware/core/bytes';
import { SETTINGS_DOMAIN } from '../../../firmware/core/config/terminalConfig';
import { parseAcquirerProfile } from '../../../firmware/core/config/acquirerProfile';
import { createCborCodec } from '../../../firmware/core/store/cbor';
import { parseCapkTable } from '../../../firmware/core/security/caPublicKeys';
import { storeCapkTable, storeCertificates } from '../../../firmware/core/security/provisionedData';
import { resolveReferences } from '../../scenario/load';

/** firmware/device/sim/simBoard.ts */
const NVS_ROOT = '/tmp/xspos-nvs/';
const MASTER_KEY_FILE = `${NVS_ROOT}master-key.bin`;
const DEFAULT_REGISTRY = resolve(__dirname, '..', '..', 'acquirer', 'demo-registry.json');
const DEFAULT_TID = '10240001';
const SSID = 'shop-floor';
/** The CA key table the synthetic ODA cards chain to (host-sim/tools/make-cards.ts). */
const CARDS_CAPK = resolve(__dirname, '..', '..', 'scenarios', 'capk', 'cards.json');

/** The simulator's settings files, as sim/fileValueStore.ts lays them out. */
class NvsFiles implements SettingsPort {
  constructor(readonly root: string) {}
  get(): SettingValue | undefined {
    return undefined;
  }
  set(domain: string, key: string, value: SettingValue): void {
    const suffix = value instanceof Uint8Array ? '.bin' : typeof value === 'number' ? '.i32' : typeof value === 'boolean' ? '.bool' : '.txt';
    mkdirSync(join(this.root, domain), { recursive: true });
    writeFileSync(join(this.root, domain, key + suffix), value instanceof Uint8Array ? value : String(value));
  }
  delete(domain: string, key: string): void {
    for (const suffix of ['.txt', '.i32', '.bool', '.bin']) rmSync(join(this.root, domain, key + suffix), { force: true });
  }
}

interface RegistryTerminal {
  tid: string;
  mid: string;
  masterKey?: string;
}

function main(args: string[]): number {
  let amount = 1234;
  let diagnosis = false;
  let registryPath = DEFAULT_REGISTRY;
  let tid = DEFAULT_TID;
  let tapPort: number | undefined;
  let updateUrl: string | undefined;
  let ntp: string | undefined;
  let readerPort: number | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--diagnosis') diagnosis = true;
    else if (a === '--registry') registryPath = resolve(args[++i] ?? '');
    else if (a === '--tid') tid = args[++i] ?? '';
    else if (a === '--tap' || a === '--reader') {
      const port = Number(args[++i]);
      if (a === '--tap') tapPort = port;
      readerPort = port;
      if (!Number.isInteger(port) || port < 1 || port > 65535) {
        console.error('sale-provision: --tap needs a TCP port');
        return 2;
      }
    }
    else if (a === '--ntp') ntp = args[++i] ?? '';
    else if (a === '--update') {
      updateUrl = args[++i] ?? '';
      if (!/^https?:\/\/[^/]+\/.*\/$/.test(updateUrl)) {
        console.error('sale-provision: --update needs a base URL ending in "/" (http://host:port/path/)');
        return 2;
      }
    }
    else if (/^\d+$/.test(a)) amount = Number(a);
    else {
      console.error(`sale-provision: unknown argument ${a}`);
      return 2;
    }
  }
  const registry = JSON.parse(readFileSync(registryPath, 'utf8')) as { profile: unknown; terminals: RegistryTerminal[] };
  const entry = registry.terminals.find((t) => t.tid === tid);
  if (!entry) throw new Error(`${registryPath}: no terminal ${tid}`);
  if (!entry.masterKey || !/^([0-9A-Fa-f]{16}){1,3}$/.test(entry.masterKey)) throw new Error(`${registryPath}: terminal ${tid} has no 8/16/24-byte master key`);
  // The registry's profile (a file name relative to it, or inline) and the scenarios' demo certificates and CA keys.
  const scenario = readerPort === undefined ? { terminal: { profile: registry.profile } } : { terminal: { profile: registry.profile }, capk: CARDS_CAPK };
  const resolved = resolveReferences(scenario, dirname(registryPath)) as {
    terminal: { profile: unknown };
    certificates: { terminal: string | null; chain: string[]; root: string | null };
    capk: unknown[];
  };
  if (ntp !== undefined) resolved.terminal.profile = { ...(resolved.terminal.profile as object), ntpServers: [ntp] };
  const profile = parseAcquirerProfile(resolved.terminal.profile);
  if (!profile.ok) throw new Error(`profile: ${profile.error.message}`);
  const hosts = profile.value.hosts.map((h) => `${h.host}:${h.port}`).join(', ');

  rmSync(NVS_ROOT, { recursive: true, force: true });
  mkdirSync(NVS_ROOT, { recursive: true, mode: 0o700 });
  const settings = new NvsFiles(NVS_ROOT);
  const cbor = createCborCodec();
  settings.set(SETTINGS_DOMAIN, 'tid', entry.tid);
  settings.set(SETTINGS_DOMAIN, 'mid', entry.mid);
  settings.set(SETTINGS_DOMAIN, 'profile', cbor.encode(resolved.terminal.profile));
  settings.set(SETTINGS_DOMAIN, 'lang', 'zh');
  const { terminal, chain, root } = resolved.certificates;
  storeCertificates(settings, cbor, { terminal: terminal ? fromHex(terminal) : undefined, chain: chain.map(fromHex), root: root ? fromHex(root) : undefined });
  const capk = parseCapkTable(resolved.capk);
  storeCapkTable(settings, cbor, capk);
  settings.set('wifi', 'ssid', SSID);
  // What the demo does once signed on: an update check, a contactless sale, or a sale (demoSale.ts).
  if (updateUrl !== undefined) {
    settings.set('update', 'url', updateUrl);
    settings.set('update', 'enabled', true);
    settings.set('dev', 'demoUpdate', true);
  } else if (tapPort !== undefined) settings.set('dev', 'demoTap', amount);
  else settings.set('dev', 'demoSale', amount);
  if (readerPort !== undefined) settings.set('dev', 'pn532Port', readerPort);
  if (diagnosis) settings.set('dev', 'demoDiagnosis', true);

  const key = fromHex(entry.masterKey);
  writeFileSync(MASTER_KEY_FILE, key, { mode: 0o600 });
  chmodSync(MASTER_KEY_FILE, 0o600);
  key.fill(0);

  console.log(
    `sale-provision: ${NVS_ROOT}: TID ${entry.tid}, MID ${entry.mid}, profile ${profile.value.id} (${hosts}), ` +
      `${ntp !== undefined ? `SNTP ${ntp}, ` : ''}${chain.length + 2} certificates, ${capk.length} CA keys, Wi-Fi "${SSID}", ${updateUrl !== undefined ? `update/url ${updateUrl}, dev/demoUpdate` : tapPort === undefined ? `dev/demoSale ${amount}` : `dev/demoTap ${amount}`}${readerPort !== undefined ? `, dev/pn532Port ${readerPort}` : ''}${diagnosis ? ', dev/demoDiagnosis' : ''}, ` +
      `master key (${entry.masterKey.length / 2} bytes) in ${MASTER_KEY_FILE}`,
  );
  return 0;
}

process.exitCode = main(process.argv.slice(2));
