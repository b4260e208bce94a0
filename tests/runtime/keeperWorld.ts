/**
 * A clock keeper (firmware/core/runtime/clockKeeper.ts) over host-sim's simulated SNTP servers
 * (SimNetwork behind QueuedNetwork: the scenario's true time on the world's time line, in whole
 * seconds, as the device's SDK client reads it) and the virtual clock; what the clock keeper
 * tests share.
 */
import { ClockKeeper, type ClockKeeperDeps } from '../../firmware/core/runtime/clockKeeper';
import type { FactEvent } from '../../firmware/core/runtime/events';
import type { TerminalState } from '../../firmware/core/runtime/states';
import type { NetworkPort, Ports } from '../../firmware/core/ports';
import type { SelfTestReport, SelfTestTrigger } from '../../firmware/core/selftest/types';
import { RecordType } from '../../firmware/core/store/recordLog';
import { QueuedNetwork } from '../../host-sim/ports/queuedNetwork';
import { SimNetwork, type SimNetworkOptions } from '../../host-sim/ports/simNetwork';
import { VirtualClock } from '../../host-sim/ports/virtualClock';

export const BUILT = Date.UTC(2026, 10, 20, 8, 0, 0);
export const TRUE_MS = Date.UTC(2026, 11, 2, 8, 0, 0);
export const RTC_1970 = Date.UTC(1970, 0, 1, 0, 0, 5);
export const NTP_DNS = { 'cn.pool.ntp.org': '203.0.113.123', 'pool.ntp.org': '198.51.100.123', 'ntp.acquirer.example': '192.0.2.123' };

export type Sntp = NonNullable<NetworkPort['sntp']>;

/** Stands in for TerminalCore's state, reports and self-test. */
export interface FakeTerminal {
  state: TerminalState;
  report: SelfTestReport | undefined;
  busy: boolean;
  acting: boolean;
  runs: SelfTestTrigger[];
}

export interface KeeperWorldOptions {
  rtcMs: number;
  /** The scenario's network.sntp. */
  sntp?: SimNetworkOptions['sntp'];
  /** Default true. */
  linkUp?: boolean;
  unreachable?: string[];
  /** The acquirer profile's ntpServers. */
  servers?: string[];
  /** Replaces the world's servers. */
  answer?: (clock: VirtualClock, queued: QueuedNetwork) => Sntp;
  /** A network port without sntp. */
  noSntp?: boolean;
  terminal?: FakeTerminal;
}

/** A keeper over the simulated world: the servers asked, the trace and the facts recorded kept. */
export function keeperWorld(options: KeeperWorldOptions) {
  const sim = new SimNetwork({
    dns: NTP_DNS,
    linkUp: options.linkUp ?? true,
    ...(options.unreachable ? { unreachable: options.unreachable } : {}),
    ...(options.sntp ? { sntp: options.sntp } : {}),
  });
  let clock: VirtualClock | undefined;
  const queued = new QueuedNetwork(sim, () => clock!.elapsedMs);
  clock = new VirtualClock(options.rtcMs, queued);
  const asked: string[] = [];
  const traced: string[] = [];
  const facts: FactEvent[] = [];
  const answer: Sntp = options.answer ? options.answer(clock, queued) : (host, callback) => queued.sntp(host, callback);
  const network: NetworkPort = {
    link: () => queued.link(),
    resolve: (name, callback) => queued.resolve(name, callback),
    connect: (o) => queued.connect(o),
    ...(options.noSntp ? {} : { sntp: (host: string, callback: (wallMs: number | undefined, detail: string) => void) => (asked.push(host), answer(host, callback)) }),
  };
  const ports = { clock, network, system: { buildTime: BUILT }, trace: (line: string) => traced.push(line) } as unknown as Ports;
  let stopped = false;
  const t = options.terminal;
  const deps: ClockKeeperDeps = {
    ports,
    record(type, value) {
      expect(type).toBe(RecordType.event);
      facts.push(value as FactEvent);
    },
    acquirerProfile: () => (options.servers ? ({ ntpServers: options.servers } as never) : undefined),
    stopped: () => stopped,
    ...(t
      ? {
          state: () => t.state,
          lastReport: () => t.report,
          selfTest: (trigger: SelfTestTrigger) => {
            t.runs.push(trigger);
            return Promise.resolve(t.report!);
          },
          cards: { busy: () => t.busy },
          diagnosisRuntime: { busy: () => t.acting },
        }
      : {}),
  };
  const keeper = new ClockKeeper(deps);
  return { keeper, clock, sim, asked, traced, facts, stop: () => ((stopped = true), keeper.stop()) };
}
