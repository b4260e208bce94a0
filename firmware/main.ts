/**
 * Firmware entry: builds the ports for this board, creates the terminal and boots it.
 * Progress and failures go to the serial console (mcsim's stdout in the simulator).
 */
import config from 'mc/config';
import TextDecoder from 'text/decoder';
import TextEncoder from 'text/encoder';
import type { Ports, TracePort } from './core/ports';

// TextEncoder and TextDecoder are globals on Node and in the XS lane, not on the device.
// cbor-x (behind core/store/cbor) looks for them when its module is evaluated. The manifest
// preloads it, so that happens at build time, where it finds none and uses its own UTF-8 code
// (the same bytes; it takes that path for every string under 64 characters anyway). A build
// that does not preload it evaluates it at the first import below, after these two lines: the
// rest is imported dynamically, so no static import can run ahead of them.
Object.defineProperty(globalThis, 'TextEncoder', { value: TextEncoder, writable: true, configurable: true });
Object.defineProperty(globalThis, 'TextDecoder', { value: TextDecoder, writable: true, configurable: true });

const log: TracePort = (line) => trace(`${line}\n`);

/**
 * The board's restart, for the diagnosis's restart step. On the ESP32 the manifest's
 * $(MODDABLE)/modules/io (manifests/esp32) preloads io/system/system.js, whose global System's
 * restart() is esp_restart(): the next boot's reset reason is 'software'. The simulator's System
 * (io/manifests/lin/system.js) has no restart: there the step is refused ("no restart on this
 * board") and mcsim is restarted by hand.
 */
function boardRestart(): (() => void) | undefined {
  const system = (globalThis as { System?: { restart?: () => void } }).System;
  const restart = system?.restart;
  if (typeof restart !== 'function') return undefined;
  return () => {
    log('xspos: restarting (the diagnosis restart step)');
    restart.call(system);
  };
}

async function start(): Promise<void> {
  log('xspos: starting');
  const { createDevicePorts } = await import('./device/devicePorts');
  const { createTerminal } = await import('./core/runtime/terminal');
  // The simulator's build measures the heap after every port call (device/heapWatch), and after the
  // reader link's writes and reads when a reader is fitted; the board's does not.
  const watching = (config as { heapWatch?: boolean }).heapWatch === true;
  let memory: (() => ReturnType<Ports['system']['memory']>) | undefined;
  const heapWatch = watching ? new (await import('./device/heapWatch')).HeapWatch(() => (memory as NonNullable<typeof memory>)()) : undefined;
  const ports = await createDevicePorts(log, heapWatch ? (link) => heapWatch.watchLink(link) : undefined);
  memory = () => ports.system.memory();
  log('xspos: ports ready, booting terminal');
  // One probe at a time: in mcsim with the board's 4,928 slots, two in flight left under 1,000
  // free and four aborted the VM (see PROBE_CONCURRENCY in core/selftest/runner).
  const restart = boardRestart();
  // Simulator only: the demo's key presses (device/sim/demoSale), wrapped before the terminal starts the keypad.
  const sim = (config as { board?: string }).board === 'sim';
  const press = sim ? (await import('./device/sim/demoSale')).demoKeys(ports) : undefined;
  const terminal = createTerminal(heapWatch ? heapWatch.watch(ports) : ports, { probeConcurrency: 1, ...(restart ? { restart } : {}) });
  heapWatch?.phase('boot');
  await terminal.boot();
  const report = terminal.lastReport;
  log(`xspos: boot done, state ${terminal.state}${report ? `, self-test ${report.verdict}` : ''}`);
  if (report) for (const probe of report.results) log(`xspos:   ${probe.id} ${probe.status} ${probe.code}: ${probe.detail}`);
  // Simulator only: a demo sale when its setting asks for one (device/sim/demoSale; not in the ESP32 build).
  if (sim) await (await import('./device/sim/demoSale')).runDemoSale(terminal, ports, heapWatch, press);
  if (heapWatch) {
    log(`xspos: ${heapWatch.summary()}`);
    for (const line of heapWatch.phaseSummaries()) log(`xspos: ${line}`);
  }
}

start().catch((error: unknown) => log(`xspos: boot failed: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`));
