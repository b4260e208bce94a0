/**
 * The loopback ledger: what the terminal's sockets and the simulated acquirer each did on every
 * connection between them, so the simulator can tell, in real time, when the loopback is quiet
 * (every byte written on one side read on the other, every close seen by both) and only then
 * hand the terminal what arrived. This makes runs on real TCP replay exactly, on Node and on XS.
 *
 * Connections are named by `loopbackKey(terminal's local TCP port, server's listening port)`: the
 * acquirer sees the first as its socket's `remotePort` and the second as its `localPort`. The
 * local port alone is not enough: the OS gives a port just freed by one connection to a new one
 * to ANOTHER server at once (a different 4-tuple needs no TIME_WAIT), and a late close from the
 * older connection's server (the acquirer's primary, its backup, the update server) then marked
 * the new one closed ("network stuck: the acquirer closed, the terminal has not seen it", seen
 * under load). The acquirer reports through `LoopbackLedger`; the terminal side (SimNetwork)
 * through the rest of `Loopback`.
 */

/** The ledger's name for the connection between terminal port `terminalPort` and server port `serverPort`. */
export function loopbackKey(terminalPort: number, serverPort: number): number {
  return serverPort * 65536 + terminalPort;
}

/** The terminal's port of a connection key, for messages. */
function portOf(key: number): number {
  return key % 65536;
}

/** What the acquirer tells the ledger (it calls these from its socket handlers). */
export interface LoopbackLedger {
  /** It accepted the connection from the terminal's port `peerPort` (after the TLS handshake when TLS). */
  accepted(peerPort: number): void;
  /** It read `n` bytes (plaintext) from that connection. */
  read(peerPort: number, n: number): void;
  /**
   * It wrote `n` bytes (plaintext) in one write. The terminal is handed the bytes in the same
   * pieces, whatever TCP made of them, so a fault plan's split writes reach the terminal as split.
   */
  wrote(peerPort: number, n: number): void;
  /** Its socket for that connection closed (whichever side closed it). */
  closed(peerPort: number): void;
  /**
   * Runs `action` once the terminal's virtual clock has moved on `delayMs` (a reply held past
   * the terminal's timeout happens in virtual time, not real time).
   */
  later(delayMs: number, action: () => void): void;
}

interface Entry {
  /** Plaintext bytes the terminal wrote / received. */
  termWrote: number;
  termReceived: number;
  /** The terminal's side is finished (it closed, or saw a close or an error). */
  termDone: boolean;
  peerAccepted: boolean;
  peerRead: number;
  peerWrote: number;
  /** Sizes of the acquirer's writes not yet handed on whole to the terminal. */
  peerWrites: number[];
  peerClosed: boolean;
}

interface Scheduled {
  dueWallMs: number;
  order: number;
  action: () => void;
}

export class Loopback implements LoopbackLedger {
  #entries = new Map<number, Entry>();
  #agenda: Scheduled[] = [];
  #order = 0;
  /** The terminal's virtual wall time as of the last settle. */
  #nowWallMs = 0;

  #entry(port: number): Entry {
    let entry = this.#entries.get(port);
    if (!entry) {
      entry = { termWrote: 0, termReceived: 0, termDone: false, peerAccepted: false, peerRead: 0, peerWrote: 0, peerWrites: [], peerClosed: false };
      this.#entries.set(port, entry);
    }
    return entry;
  }

  // ---- the acquirer's side
  accepted(peerPort: number) {
    // A connection the terminal has finished with cannot be accepted again: this is a new one that
    // reused the port, and the acquirer's accept can come before the terminal's connect callback
    // (opened). Starting it afresh here keeps opened() from dropping the accept with the old entry
    // (seen as "the acquirer has not accepted the connection" forever, under load).
    if (this.#entries.get(peerPort)?.termDone) this.#entries.delete(peerPort);
    this.#entry(peerPort).peerAccepted = true;
  }
  read(peerPort: number, n: number) {
    this.#entry(peerPort).peerRead += n;
  }
  wrote(peerPort: number, n: number) {
    if (n <= 0) return;
    const entry = this.#entry(peerPort);
    entry.peerWrote += n;
    entry.peerWrites.push(n);
  }
  closed(peerPort: number) {
    // A close with no accept on record belongs to an older connection on a port the OS has
    // since reused (its entry was forgotten, or started afresh by the terminal's new connect):
    // marking the new entry closed would wait forever for a close the terminal never sees.
    const entry = this.#entries.get(peerPort);
    if (entry?.peerAccepted) entry.peerClosed = true;
  }
  later(delayMs: number, action: () => void) {
    this.#agenda.push({ dueWallMs: this.#nowWallMs + Math.max(0, delayMs), order: this.#order++, action });
  }

  /** The terminal's virtual wall time as of the last settle (the acquirer's clock for date and time fields). */
  get nowWallMs(): number {
    return this.#nowWallMs;
  }

  // ---- the terminal's side (SimNetwork)
  /** A terminal connection is established from local port `port` (a reused port starts afresh). */
  opened(port: number) {
    const old = this.#entries.get(port);
    // Finished by the terminal, or already closed by the acquirer before this connect: an older
    // connection's entry on a reused port (a new connection's early accept is kept, issue 8).
    if (old && (old.termDone || old.peerClosed)) this.#entries.delete(port);
    this.#entry(port);
  }
  termWrote(port: number, n: number) {
    this.#entry(port).termWrote += n;
  }
  /** Bytes arrived from the acquirer (not yet handed to the terminal). */
  termReceived(port: number, n: number): void {
    this.#entry(port).termReceived += n;
  }
  /**
   * Splits `buffered` bytes received on `port` into the acquirer's write pieces: the lengths of
   * the whole pieces it holds, oldest first (bytes of an unfinished piece stay buffered).
   */
  pieces(port: number, buffered: number): number[] {
    const entry = this.#entries.get(port);
    const out: number[] = [];
    if (!entry) return out;
    let left = buffered;
    while (entry.peerWrites.length && entry.peerWrites[0] <= left) {
      const n = entry.peerWrites.shift()!;
      out.push(n);
      left -= n;
    }
    return out;
  }
  termDone(port: number) {
    this.#entry(port).termDone = true;
  }

  /**
   * Why connection `port` is not quiet yet, or undefined when it is. `connected`: the terminal
   * has an established connection there (a connection that never got one needs nothing of the acquirer).
   */
  unbalanced(key: number, connected: boolean): string | undefined {
    const e = this.#entries.get(key);
    const port = portOf(key);
    if (!e || !connected) return undefined;
    if (e.termDone) return e.peerAccepted && !e.peerClosed ? `port ${port}: the acquirer has not seen the terminal close` : undefined;
    if (!e.peerAccepted) return `port ${port}: the acquirer has not accepted the connection`;
    if (e.peerRead !== e.termWrote) return `port ${port}: the terminal wrote ${e.termWrote} bytes, the acquirer read ${e.peerRead}`;
    if (e.termReceived !== e.peerWrote) return `port ${port}: the acquirer wrote ${e.peerWrote} bytes, the terminal received ${e.termReceived}`;
    if (e.peerClosed) return `port ${port}: the acquirer closed, the terminal has not seen it`;
    return undefined;
  }

  /** Forgets a connection both sides have finished with. */
  forget(port: number) {
    const e = this.#entries.get(port);
    if (e && e.termDone && (e.peerClosed || !e.peerAccepted)) this.#entries.delete(port);
  }

  /** Runs the scheduled actions due at virtual wall time `nowWallMs`, in due order; returns how many ran. */
  runDue(nowWallMs: number): number {
    this.#nowWallMs = Math.max(this.#nowWallMs, nowWallMs);
    let ran = 0;
    for (;;) {
      const next = this.#next();
      if (!next || next.dueWallMs > this.#nowWallMs) return ran;
      this.#agenda.splice(this.#agenda.indexOf(next), 1);
      next.action();
      ran++;
    }
  }

  /** When the next scheduled action falls due (virtual wall time), if any. */
  nextDueWallMs(): number | undefined {
    return this.#next()?.dueWallMs;
  }

  #next(): Scheduled | undefined {
    let best: Scheduled | undefined;
    for (const s of this.#agenda) if (!best || s.dueWallMs < best.dueWallMs || (s.dueWallMs === best.dueWallMs && s.order < best.order)) best = s;
    return best;
  }
}
