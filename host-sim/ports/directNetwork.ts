/**
 * The network of a world built without the scenario driver (unit tests that boot a terminal and
 * await it directly): real TCP on loopback to an acquirer started for that world, events handed
 * over as they arrive (node:net's own order), hosts of the profile routed by position to the
 * acquirer's ports. Nothing here is deterministic in time, so scenarios and the XS lane use
 * SimNetwork + QueuedNetwork instead; this is for tests that only need a host that answers.
 */
import type { NetworkPort, TcpConnection, TcpOptions } from '../../firmware/core/ports';
import { PortError } from '../../firmware/core/ports';
import { NodeNetwork } from './nodeNetwork';

export class DirectNetwork implements NetworkPort {
  readonly #tcp = new NodeNetwork();
  readonly #ports: Promise<number[]>;
  readonly #hosts: { host: string; port: number }[];

  /** `ports`: the acquirer's ports once it listens; `hosts`: the profile's hosts, in the same order. */
  constructor(ports: Promise<number[]>, hosts: { host: string; port: number }[]) {
    this.#ports = ports;
    this.#hosts = hosts;
    ports.catch(() => undefined);
  }

  link() {
    return { up: true, address: '192.168.1.23' };
  }

  resolve(name: string, callback: (address: string | undefined) => void): void {
    this.#tcp.resolve(name, callback);
  }

  connect(options: TcpOptions): TcpConnection {
    let connection: TcpConnection | undefined;
    let closed = false;
    const index = this.#hosts.findIndex((h) => h.host === options.host && h.port === options.port);
    this.#ports.then(
      (ports) => {
        if (closed) return;
        if (index < 0 || ports[index] === undefined) {
          options.onError(new PortError('socket', 'connection refused'));
          return;
        }
        connection = this.#tcp.connect({
          host: '127.0.0.1',
          port: ports[index],
          onConnect: () => options.onConnect(),
          onReadable: (bytes) => options.onReadable(bytes),
          onError: (error) => options.onError(error),
          onClose: () => options.onClose(),
        });
      },
      () => !closed && options.onError(new PortError('socket', 'connection refused')),
    );
    return {
      write(bytes) {
        if (!connection) throw new PortError('socket', 'not connected');
        connection.write(bytes);
      },
      close() {
        closed = true;
        connection?.close();
      },
    };
  }
}
