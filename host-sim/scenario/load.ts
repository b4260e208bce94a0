/**
 * Reads a scenario file from disk: JSON, with file references resolved relative to it —
 * `terminal.profile` (a profile JSON), `certificates.*` (PEM or DER files) and `capk` (a CA
 * key table JSON), and the card files sale steps present (`present.tap`/`present.insert`, JSON,
 * carried in `cards`). Certificates and the CA key table default to the demo acquirer's
 * (scenarios/certs, scenarios/capk/demo.json); `null` provisions none.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pemToDer } from '../../firmware/core/security/x509';
import { parseScenario, ScenarioError, type Scenario } from './schema';
import { cardFilesOf } from './cardSteps';

export const SCENARIO_DIR = resolve(__dirname, '..', 'scenarios');
const DEMO_CERTIFICATES = { terminal: 'certs/terminal.pem', chain: ['certs/terminal-ca.pem'], root: 'certs/root.pem' };
const DEMO_CAPK = 'capk/demo.json';

function readFile(base: string, path: string, field: string): Buffer {
  const file = resolve(base, path);
  try {
    return readFileSync(file);
  } catch (error) {
    throw new ScenarioError(field, `${file}: ${error instanceof Error ? error.message : 'unreadable'}`);
  }
}

function readJson(base: string, path: string, field: string): unknown {
  try {
    return JSON.parse(readFile(base, path, field).toString('utf8'));
  } catch (error) {
    if (error instanceof ScenarioError) throw error;
    throw new ScenarioError(field, `${path}: ${error instanceof Error ? error.message : 'not JSON'}`);
  }
}

/** A certificate file (PEM or DER) as DER hex; a value that is not a file name passes through. */
function certificateHex(base: string, value: unknown, field: string): unknown {
  if (typeof value !== 'string' || !/\.(pem|der|crt|cer)$/i.test(value)) return value;
  const bytes = readFile(base, value, field);
  const text = bytes.toString('latin1');
  const der = text.includes('-----BEGIN') ? pemToDer(text)[0] : new Uint8Array(bytes);
  if (!der) throw new ScenarioError(field, `${value} holds no certificate`);
  return Buffer.from(der).toString('hex');
}

/**
 * Resolves a raw scenario's file references and demo defaults in place: `base` is the folder
 * its relative paths start from.
 */
export function resolveReferences(raw: unknown, base: string): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  const scenario = raw as Record<string, unknown>;
  const terminal = scenario.terminal as Record<string, unknown> | undefined;
  if (terminal && typeof terminal.profile === 'string') terminal.profile = readJson(base, terminal.profile, 'terminal.profile');
  const acquirer = scenario.acquirer as Record<string, unknown> | undefined;
  if (acquirer && typeof acquirer === 'object' && typeof acquirer.profile === 'string') acquirer.profile = readJson(base, acquirer.profile, 'acquirer.profile');

  const demo = scenario.certificates === undefined;
  const certs = (demo ? { ...DEMO_CERTIFICATES } : scenario.certificates) as Record<string, unknown>;
  const certBase = demo ? SCENARIO_DIR : base;
  if (certs && typeof certs === 'object') {
    certs.terminal = certificateHex(certBase, certs.terminal, 'certificates.terminal');
    certs.root = certificateHex(certBase, certs.root, 'certificates.root');
    if (Array.isArray(certs.chain)) certs.chain = certs.chain.map((c, i) => certificateHex(certBase, c, `certificates.chain[${i}]`));
  }
  scenario.certificates = certs;

  const capk = scenario.capk === undefined ? DEMO_CAPK : scenario.capk;
  if (typeof capk === 'string') {
    const table = readJson(scenario.capk === undefined ? SCENARIO_DIR : base, capk, 'capk');
    const keys = Array.isArray(table) ? table : typeof table === 'object' && table !== null ? (table as { keys?: unknown }).keys : undefined;
    // A file without a list must not read as "no CA keys provisioned".
    if (!Array.isArray(keys)) throw new ScenarioError('capk', `${capk}: must hold a list of keys, or {"keys": [...]}`);
    scenario.capk = keys;
  } else scenario.capk = capk;

  // The card files the steps present, read here so both lanes carry them inside the scenario.
  const files = cardFilesOf(scenario.steps);
  if (files.length > 0) {
    const cards: Record<string, unknown> = typeof scenario.cards === 'object' && scenario.cards !== null ? { ...(scenario.cards as Record<string, unknown>) } : {};
    for (const path of files) if (!(path in cards)) cards[path] = readJson(base, path, `cards[${path}]`);
    scenario.cards = cards;
  }
  return scenario;
}

export function loadScenario(path: string, overrides: { lang?: 'zh' | 'en' } = {}): Scenario {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ScenarioError('(file)', `${path}: ${error instanceof Error ? error.message : 'unreadable'}`);
  }
  const scenario = parseScenario(resolveReferences(raw, dirname(path)));
  return overrides.lang ? { ...scenario, lang: overrides.lang } : scenario;
}
