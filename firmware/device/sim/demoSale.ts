/**
 * SIMULATOR ONLY: one demo sale after boot, so the heap of a whole sale (sign-on, 0200 with
 * its MAC, journal writes, 0210 and its MAC check) can be measured in mcsim against the
 * acquirer of `npm run acquirer`. main.ts calls it only on the simulator board; the manifest
 * lists `device/sim/` in the simulator build only, so the ESP32 firmware has no such trigger.
 *
 * Asked for by a setting: domain "dev", key "demoSale", an i32 amount in minor units
 * (`printf %s 1234 > /tmp/xspos-nvs/dev/demoSale.i32`). The card is a made-up contact chip
 * card (test PAN, track 2 equivalent data, 17 EMV tags in field 55) and an 8-byte PIN block:
 * the largest 0200 the sale path builds, so the measurement is the heavy case.
 */
import type { KeyCode, KeypadPort, Ports } from '../../core/ports';
import type { SaleRequest } from '../../core/host/session';
import type { Terminal } from '../../core/runtime/terminal';
import type { HeapWatch } from '../heapWatch';
import { fromHex } from '../../core/bytes';
import { diagnosisPageCount } from '../../core/ui/diagnosisScreens';
import { DEMO_TAP_KEY, runDemoTap } from './demoTap';
import { DEMO_UPDATE_KEY, runDemoUpdate } from './demoUpdate';

export const DEMO_SALE_DOMAIN = 'dev';
export const DEMO_SALE_KEY = 'demoSale';
/**
 * With this setting (dev/demoDiagnosis, any value) a second sale follows the first once the host
 * has had 3 s to disable the TID (the trace says when: the operator, or a script watching the
 * trace, types `disable <TID>` into `npm run acquirer`): its 83 starts the host-83 self-test and
 * the diagnosis, whose pages the demo then steps through with the board's key, support page
 * (code and QR) included, and back home (docs/memory.md, the diagnosis's heap).
 */
export const DEMO_DIAGNOSIS_KEY = 'demoDiagnosis';
/**
 * With this setting (dev/demoActivate, the activation code as an i32) a factory-state terminal
 * activates once the link is up, instead of the sale: request, master key stored, sign-on and
 * self-test after it, each sample traced (docs/memory.md, activation's heap).
 */
export const DEMO_ACTIVATE_KEY = 'demoActivate';
/** How long the sign-on and self-test after an activation may take. */
const AFTER_ACTIVATION_MS = 60_000;
/** How long the host has to disable the TID after the trace asks. */
const DISABLE_WAIT_MS = 3_000;
/** How long the host-83 self-test and the diagnosis may take to reach the screen. */
const DIAGNOSIS_WAIT_MS = 60_000;
/** How long to wait for Wi-Fi (mcsim's simulated join) before selling anyway. */
const LINK_WAIT_MS = 30_000;
const LINK_POLL_MS = 250;

/** Field 55 as a CUP IC sale carries it: 9F26 9F27 9F10 9F37 9F36 95 9A 9C 9F02 5F2A 82 9F1A 9F03 9F33 9F34 9F35 9F1E (136 bytes). */
const DEMO_ICC_HEX = [
  '9F2608A1B2C3D4E5F60718', '9F270180', '9F102007010103A0A802010A01000000000000A1B2C3D4000000000000000000000000',
  '9F37041A2B3C4D', '9F36020012', '95050000048000', '9A03261126', '9C0100', '9F0206000000001234', '5F2A020156', '82027C00',
  '9F1A020156', '9F0306000000000000', '9F3303E0F1C8', '9F3403420300', '9F350122', '9F1E083132333435363738',
].join('');

const DEMO_PAN = '6212340000000012';

/** Presses a key as the board's keypad would (set by demoKeys). */
export type DemoPress = (key: KeyCode) => void;

/**
 * SIMULATOR ONLY: wraps `ports.keypad` (before the terminal starts it) so the demo can press keys
 * through the same handler the board's button reaches.
 */
export function demoKeys(ports: Ports): DemoPress {
  const keypad: KeypadPort = ports.keypad;
  let handler: ((key: KeyCode) => void) | undefined;
  ports.keypad = {
    layout: keypad.layout,
    start(onKey) {
      handler = onKey;
      keypad.start(onKey);
    },
    stop() {
      handler = undefined;
      keypad.stop();
    },
    held: () => keypad.held(),
  };
  return (key) => handler?.(key);
}

/** `ports` unwatched (the heap watch samples the terminal's own port calls, not these). */
export async function runDemoSale(terminal: Terminal, ports: Ports, watch?: HeapWatch, press?: DemoPress): Promise<void> {
  const { settings, trace } = ports;
  const code = settings.get(DEMO_SALE_DOMAIN, DEMO_ACTIVATE_KEY);
  if (typeof code === 'number') return demoActivation(terminal, ports, String(code), watch);
  const tap = settings.get(DEMO_SALE_DOMAIN, DEMO_TAP_KEY);
  if (typeof tap === 'number') return runDemoTap(terminal, ports, tap, watch);
  if (settings.get(DEMO_SALE_DOMAIN, DEMO_UPDATE_KEY) !== undefined) return runDemoUpdate(terminal, ports, watch);
  const amount = settings.get(DEMO_SALE_DOMAIN, DEMO_SALE_KEY);
  if (typeof amount !== 'number') return;
  await readyForSale(terminal, ports, watch);
  trace(`demo sale (simulator only): ${amount} minor units, terminal ${terminal.state}`);
  const request: SaleRequest = {
    amountMinor: amount,
    entry: 'contact',
    pan: DEMO_PAN,
    track2: `${DEMO_PAN}=30122011234500000`,
    cardSeq: '001',
    icc: fromHex(DEMO_ICC_HEX),
    pinBlock: fromHex('1A2B3C4D5E6F7081'),
  };
  watch?.phase('sale', trace);
  // The outcome is traced and dropped, not kept in this frame while the diagnosis demo runs.
  trace(`demo sale: ${outcomeText(await terminal.sale(request))}`);
  watch?.phase('after sale');
  if (settings.get(DEMO_SALE_DOMAIN, DEMO_DIAGNOSIS_KEY) !== undefined && press) await demoDiagnosis(terminal, ports, request, watch, press);
}

/**
 * Waits for the Wi-Fi link, runs a self-test when the boot one failed (its network probes ran
 * before the link was up) and lets the sign-on after it end (demoTap.ts uses it too).
 */
export async function readyForSale(terminal: Terminal, ports: Ports, watch?: HeapWatch): Promise<void> {
  const { trace } = ports;
  // Wi-Fi joins in the background and may come up after the boot self-test (whose network probes
  // then fail): once it is up, a self-test runs, which signs on when it passes. Trigger 'periodic':
  // it leaves the ready screen up (a demand run opens its report page; that page crashed mcsim
  // until detail patterns were compiled at read time, docs/memory.md).
  if (!terminal.lastReport || terminal.lastReport.verdict === 'fail') {
    const up = await linkUp(ports);
    trace(`demo sale: link ${up ? 'up' : 'still down'}, self-test again`);
    watch?.phase('self-test, link up');
    await terminal.selfTest('periodic').catch(() => undefined);
  }
  // The sign-on that follows a self-test runs in the background: let it end first.
  watch?.phase('sign-on');
  await terminal.whenIdle();
}

export function outcomeText(outcome: Awaited<ReturnType<Terminal['sale']>>): string {
  const what = outcome.kind === 'answered' ? ` ${outcome.answer.code} (${outcome.answer.category})` : ` ${outcome.kind === 'refused' ? outcome.code : outcome.stage}: ${outcome.detail}`;
  return `${outcome.kind}${what}${outcome.stan ? `, STAN ${outcome.stan}` : ''}`;
}

/** The host disables the TID, a sale gets its 83, the diagnosis comes up, every page is stepped through. */
async function demoDiagnosis(terminal: Terminal, ports: Ports, request: SaleRequest, watch: HeapWatch | undefined, press: DemoPress): Promise<void> {
  const { trace, clock } = ports;
  trace(`demo diagnosis: disable the TID now (acquirer: disable <TID>)`);
  await wait(clock, DISABLE_WAIT_MS);
  watch?.phase('83 sale, host-83 self-test, diagnosis', trace);
  trace(`demo diagnosis: sale ${outcomeText(await terminal.sale(request))}`);
  const until = clock.uptimeMs() + DIAGNOSIS_WAIT_MS;
  while (terminal.view !== 'diagnosis' && clock.uptimeMs() < until) await wait(clock, 250);
  await terminal.whenIdle();
  const d = terminal.diagnosis;
  if (terminal.view !== 'diagnosis' || !d) return trace(`demo diagnosis: no diagnosis on the screen (view ${terminal.view})`);
  const pages = diagnosisPageCount(d);
  trace(`demo diagnosis: ${d.top?.id ?? 'no cause'} on the screen, ${pages} pages`);
  watch?.phase('diagnosis pages', trace);
  // The one-button board's short press: the next page; past the support page, home.
  for (let n = 1; n <= pages; n++) {
    press('down');
    trace(`demo diagnosis: page ${n + 1 <= pages ? n + 1 : 'home'} of ${pages} drawn (view ${terminal.view})`);
  }
  watch?.phase('after diagnosis');
}

/** Activation from the factory state, as the code entry's ENTER would start it. */
async function demoActivation(terminal: Terminal, ports: Ports, code: string, watch: HeapWatch | undefined): Promise<void> {
  const { trace, clock } = ports;
  trace(`demo activation: link ${(await linkUp(ports)) ? 'up' : 'still down'}, terminal ${terminal.state}`);
  watch?.phase('activation', trace);
  const outcome = await terminal.activate(code).catch((error: unknown) => ({ kind: 'error', detail: error instanceof Error ? error.message : 'error' }));
  trace(`demo activation: ${outcome.kind}${'reason' in outcome ? ` (${outcome.reason})` : 'tid' in outcome ? ` as ${outcome.tid}` : ''}`);
  watch?.phase('after activation: sign-on, self-test', trace);
  const until = clock.uptimeMs() + AFTER_ACTIVATION_MS;
  while (terminal.view === 'activation-result' && clock.uptimeMs() < until) await wait(clock, 250);
  await terminal.whenIdle();
  trace(`demo activation: terminal ${terminal.state}, self-test ${terminal.lastReport?.verdict ?? 'none'}`);
  watch?.phase('after activation');
}

function wait(clock: Ports['clock'], ms: number): Promise<void> {
  return new Promise((done) => clock.setTimer(ms, done));
}

function linkUp({ network, clock }: Ports): Promise<boolean> {
  const until = clock.uptimeMs() + LINK_WAIT_MS;
  return new Promise((done) => {
    const poll = () => {
      if (network.link().up) done(true);
      else if (clock.uptimeMs() >= until) done(false);
      else clock.setTimer(LINK_POLL_MS, poll);
    };
    poll();
  });
}
