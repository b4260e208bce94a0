/**
 * The loopback ledger when the OS reuses a terminal port: the acquirer's accept of the new
 * connection may come before the terminal's connect callback, while the old connection's entry
 * still lingers (forgotten only once both sides were done when the network last settled).
 */
import { Loopback, loopbackKey } from '../../host-sim/ports/loopbackLedger';

describe('loopback ledger, a reused port', () => {
  it('keeps the accept that came before the terminal saw its connect', () => {
    const ledger = new Loopback();
    const port = 40_000;
    // The first connection: opened, accepted, finished by the terminal; the acquirer's close seen later.
    ledger.opened(port);
    ledger.accepted(port);
    ledger.termDone(port);
    ledger.closed(port);
    // The same port again: the acquirer accepts first, then the terminal's connect callback runs.
    ledger.accepted(port);
    ledger.opened(port);
    expect(ledger.unbalanced(port, true)).toBeUndefined();
  });

  it("ignores the acquirer's close of an older connection whose entry was forgotten, so the new one is not taken for closed", () => {
    const ledger = new Loopback();
    const port = 40_002;
    // The old connection: the terminal gave up before the acquirer accepted; quiet, so forgotten.
    ledger.opened(port);
    ledger.termDone(port);
    expect(ledger.unbalanced(port, true)).toBeUndefined();
    ledger.forget(port);
    // The acquirer's late accept and close of it, then the terminal's new connection on the same port.
    ledger.accepted(port);
    ledger.closed(port);
    ledger.opened(port);
    ledger.accepted(port);
    expect(ledger.unbalanced(port, true)).toBeUndefined();
    // A close with no accept on record (the entry was started by the terminal's connect) is an older connection's.
    const other = 40_003;
    ledger.opened(other);
    ledger.closed(other);
    expect(ledger.unbalanced(other, true)).toBe('port 40003: the acquirer has not accepted the connection');
  });

  it('still waits for an accept that has not come', () => {
    const ledger = new Loopback();
    ledger.opened(40_001);
    expect(ledger.unbalanced(40_001, true)).toBe('port 40001: the acquirer has not accepted the connection');
  });

  it("keeps apart two connections on the same terminal port to different servers: the first server's late close leaves the second open", () => {
    // The OS gives a just-freed local port to a connection to another server at once (another
    // 4-tuple: no TIME_WAIT). The primary's close of the old connection comes after the update
    // server accepted the new one; by the terminal port alone it marked the new one closed.
    const ledger = new Loopback();
    const old = loopbackKey(40_002, 5683);
    const fresh = loopbackKey(40_002, 8080);
    ledger.opened(old);
    ledger.accepted(old);
    ledger.termDone(old);
    ledger.opened(fresh);
    ledger.accepted(fresh);
    ledger.closed(old);
    expect(ledger.unbalanced(fresh, true)).toBeUndefined();
    expect(ledger.unbalanced(old, true)).toBeUndefined();
    expect([fresh % 65536, old % 65536]).toEqual([40_002, 40_002]);
  });
});
