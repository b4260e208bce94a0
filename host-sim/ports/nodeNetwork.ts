/** The network port on node:net: real TCP, loopback in tests. */
import { Socket } from 'node:net';
import { PortError, type NetworkPort, type TcpConnection, type TcpOptions } from '../../firmware/core/ports';

export class NodeNetwork implements NetworkPort {
  #up: boolean;
  constructor(linkUp = true) {
    this.#up = linkUp;
  }
  setLink(up: boolean) {
    this.#up = up;
  }
  link() {
    return this.#up ? { up: true, address: '127.0.0.1' } : { up: false };
  }
  resolve(name: string, callback: (address: string | undefined) => void): void {
    queueMicrotask(() => callback(/^\d{1,3}(\.\d{1,3}){3}$/.test(name) ? name : name === 'localhost' ? '127.0.0.1' : undefined));
  }
  connect(options: TcpOptions): TcpConnection {
    const socket = new Socket();
    let open = false;
    let finished = false;
    const finish = (then: () => void) => {
      if (finished) return;
      finished = true;
      open = false;
      then();
    };
    if (!this.#up) {
      queueMicrotask(() => finish(() => options.onError(new PortError('socket', 'link is down'))));
      return { write: () => { throw new PortError('socket', 'not connected'); }, close: () => { finished = true; } };
    }
    socket.on('connect', () => {
      open = true;
      if (!finished) options.onConnect();
    });
    socket.on('data', (chunk: Buffer) => !finished && options.onReadable(new Uint8Array(chunk)));
    socket.on('error', (e) => finish(() => options.onError(new PortError('socket', e.message))));
    socket.on('close', () => finish(() => options.onClose()));
    socket.connect(options.port, options.host);
    return {
      write(bytes) {
        if (!open) throw new PortError('socket', 'not connected');
        socket.write(bytes);
      },
      close() {
        finished = true;
        open = false;
        socket.destroy();
      },
    };
  }
}
