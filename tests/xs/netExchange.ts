/**
 * A short conversation over the simulator's network port, written once and run in both lanes:
 * a name resolved, a connection refused (no route), one to a host that never answers (given
 * up by a connect timeout on the virtual clock), and one exchange with a peer that answers in
 * three pieces, then holds a reply for 5 s of virtual time, then closes. Engine-neutral.
 */
import type { NetworkPort, TcpConnection } from '../../firmware/core/ports';
import type { VirtualClock } from '../../host-sim/ports/virtualClock';

const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));
const text = (bytes: Uint8Array) => String.fromCharCode(...bytes);

/** Every callback the terminal side got, stamped with the virtual uptime. */
export async function converse(network: NetworkPort, clock: VirtualClock): Promise<string[]> {
  const log: string[] = [];
  const stamp = (line: string) => log.push(`${clock.uptimeMs()} ${line}`);
  let open = 3;
  const ended = (name: string, how: string) => {
    stamp(`${name} ${how}`);
    open--;
  };
  network.resolve('pos.acquirer.test', (address) => stamp(`resolved ${address}`));
  const a: TcpConnection = network.connect({
    host: 'pos.acquirer.test',
    port: 5683,
    onConnect: () => {
      stamp('A connect');
      a.write(ascii('ping'));
    },
    onReadable: (bytes) => {
      stamp(`A data ${text(bytes)}`);
      if (text(bytes) === 'late') a.write(ascii('bye'));
    },
    onError: (e) => ended('A', `error ${e.message}`),
    onClose: () => ended('A', 'close'),
  });
  const options = (name: string, host: string, port: number) => ({
    host,
    port,
    onConnect: () => stamp(`${name} connect`),
    onReadable: () => stamp(`${name} data`),
    onError: (e: Error) => ended(name, `error ${e.message}`),
    onClose: () => ended(name, 'close'),
  });
  network.connect(options('B', '127.0.0.1', 5699));
  const c = network.connect(options('C', '10.20.30.40', 5683));
  clock.setTimer(10_000, () => {
    c.close();
    ended('C', 'timeout');
  });
  for (let step = 0; step < 100 && open > 0; step++) {
    await clock.settle();
    if (open > 0 && !(await clock.advanceToNextTimer())) break;
  }
  return log;
}
