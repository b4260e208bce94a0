/**
 * Hands socket events to the terminal's connection callbacks, the same way in both lanes: the
 * Node lane's SimNetwork and the XS lane's bridged network port queue what the loopback did and
 * deliver it here, one event per turn of the host's loop (as the device's event loop runs one
 * callback, then the promise jobs it started). Keeps the ECMA-419 rules: nothing before
 * `onConnect` but an error, nothing after an error, a close or the terminal's own `close()`.
 * Engine-neutral: the XS lane runs this code inside XS.
 */
import { PortError, type TcpOptions } from '../../firmware/core/ports';

export type SocketEvent =
  | { id: number; kind: 'connect' }
  | { id: number; kind: 'data'; bytes: Uint8Array }
  | { id: number; kind: 'error'; message: string }
  | { id: number; kind: 'close' };

/** One turn of the host's loop: every pending promise job runs first (Node and xsnap alike). */
export function hostTurn(): Promise<void> {
  return new Promise<void>((resolve) => setImmediate(resolve));
}

interface Live {
  options: TcpOptions;
  open: boolean;
}

export class SocketDispatcher {
  #live = new Map<number, Live>();

  /** A connection the terminal asked for; its events come later, through `deliver`. */
  add(id: number, options: TcpOptions) {
    this.#live.set(id, { options, open: false });
  }

  /** Whether the terminal may write on `id`: it was told of the connect and of nothing that ended it. */
  isOpen(id: number): boolean {
    return this.#live.get(id)?.open === true;
  }

  /** The terminal closed `id`: nothing more fires for it. */
  finish(id: number) {
    this.#live.delete(id);
  }

  /** Connections that may still get an event. */
  get live(): number {
    return this.#live.size;
  }

  /** Throws the PortError a write on a connection that is not open gets. */
  checkOpen(id: number) {
    if (!this.isOpen(id)) throw new PortError('socket', 'not connected');
  }

  /** Delivers `events` in order, one per host turn; returns how many reached a callback. */
  async deliver(events: readonly SocketEvent[]): Promise<number> {
    let delivered = 0;
    for (const event of events) {
      const live = this.#live.get(event.id);
      if (!live) continue;
      delivered++;
      switch (event.kind) {
        case 'connect':
          live.open = true;
          live.options.onConnect();
          break;
        case 'data':
          if (live.open) live.options.onReadable(event.bytes);
          break;
        case 'error':
          this.#live.delete(event.id);
          live.options.onError(new PortError('socket', event.message));
          break;
        case 'close':
          this.#live.delete(event.id);
          live.options.onClose();
          break;
      }
      await hostTurn();
    }
    return delivered;
  }
}
