/**
 * Setting the RTC from SNTP: the first half of the diagnosis's set-clock step (actions.ts runs
 * the clock probe after it). The profile's servers are asked in turn (AcquirerProfile.ntpServers);
 * the first answer that can be believed sets the RTC, and the step taken is reported.
 *
 * An answer is believed only when it is not before the firmware's build and not implausibly
 * later (the RTC probe's own bounds, systemProbes.ts): a server that answers a zero timestamp
 * (1900/1970, RFC 4330 §5: "not synchronized") or a date before the build would only set a
 * clock the probe then fails. The SNTP packet's own checks (server mode, stratum 0 kiss-o'-death
 * discarded) are the adapter's: the device's SDK client makes them (modules/network/sntp).
 */
import type { Ports } from '../ports';
import { isoTime, RTC_PLAUSIBLE_SPAN_MS } from '../selftest/probes/systemProbes';

/**
 * Longest wait for one server: the SDK's client gives up after 5 requests 5 s apart (25 s); an
 * adapter that never calls back cannot hold the step past this.
 */
export const SNTP_ANSWER_MS = 30_000;

export type ClockSync =
  /** The RTC was set from `server`; `stepMs` = the new time − the RTC's reading just before. */
  | { kind: 'set'; server: string; stepMs: number; detail: string }
  /** No server gave a time to believe; `detail` says why, server by server. */
  | { kind: 'failed'; detail: string }
  /** The board cannot ask (its network port has no SNTP). */
  | { kind: 'refused'; detail: string };

/** Why an answer of `wallMs` cannot be believed, or undefined when it can. */
export function distrust(wallMs: number, buildTime: number): string | undefined {
  if (!Number.isFinite(wallMs)) return 'no time in the answer';
  if (wallMs < buildTime) return `answered ${isoTime(wallMs)}, before the build ${isoTime(buildTime)}`;
  if (wallMs - buildTime > RTC_PLAUSIBLE_SPAN_MS) return `answered ${isoTime(wallMs)}, implausibly late`;
  return undefined;
}

/** One server's answer, or why none came (the guard timer stands in for an adapter that never answers). */
function ask(ports: Ports, sntp: NonNullable<Ports['network']['sntp']>, host: string): Promise<{ wallMs?: number; detail: string }> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (wallMs: number | undefined, detail: string) => {
      if (done) return;
      done = true;
      ports.clock.clearTimer(guard);
      resolve(wallMs === undefined ? { detail } : { wallMs, detail });
    };
    const guard = ports.clock.setTimer(SNTP_ANSWER_MS, () => finish(undefined, `no answer in ${SNTP_ANSWER_MS / 1000} s`));
    sntp.call(ports.network, host, finish);
  });
}

/** Asks `servers` in turn and sets the RTC from the first believable answer; never rejects. */
export async function syncClock(ports: Ports, servers: readonly string[]): Promise<ClockSync> {
  const { network, clock, system } = ports;
  if (!network.sntp) return { kind: 'refused', detail: 'no SNTP on this board' };
  if (!network.link().up) return { kind: 'failed', detail: 'link is down' };
  const why: string[] = [];
  for (const server of servers) {
    const answer = await ask(ports, network.sntp, server);
    const reason = answer.wallMs === undefined ? answer.detail : distrust(answer.wallMs, system.buildTime);
    if (reason !== undefined || answer.wallMs === undefined) {
      why.push(`${server}: ${reason}`);
      continue;
    }
    const before = clock.wallMs();
    clock.setWallMs(answer.wallMs);
    const stepMs = answer.wallMs - before;
    const detail = `server=${server} step=${Math.round(stepMs / 1000)}s`;
    ports.trace(`clock set from ${server}: ${isoTime(before)} -> ${isoTime(answer.wallMs)}`);
    return { kind: 'set', server, stepMs, detail };
  }
  ports.trace(`clock not set: ${why.join('; ')}`);
  return { kind: 'failed', detail: why.join('; ') };
}
