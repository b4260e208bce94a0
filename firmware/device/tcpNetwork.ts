/**
 * The network port on the Moddable SDK: ECMA-419 `embedded:io/socket/tcp` (lwIP on ESP32, BSD
 * sockets in the simulator), the SDK's TLS session `ssl/session` (modules/crypt/tls_419.json)
 * under tlsSocket.ts, `Net.resolve` for names, and the SDK's SNTP client (modules/network/sntp). The logic is networkAdapter.ts; this file
 * only hands it the SDK's modules, so that Node tests can hand it fakes.
 *
 * The simulator's resolver (modResolve.c) answers only when a name's first address is IPv4,
 * so "localhost" (::1 first) does not resolve there.
 */
import TCP from 'embedded:io/socket/tcp';
import Net from 'net';
import SNTP from 'sntp';
import SSLAlert from 'ssl/alert';
import Session from 'ssl/session';
import { NetworkAdapter, type SdkSntpClient, type SocketStack, type StreamSocket, type StreamSocketOptions, type TlsTrust } from './networkAdapter';
import { TlsSocket, type TlsSession, type TlsSessionOptions } from './tlsSocket';

function openTcp(options: StreamSocketOptions): StreamSocket {
  return new TCP(options) as unknown as StreamSocket;
}

/**
 * The SDK's session, but for close(): session_419.js sends close_notify with alert level 0,
 * which is no level (RFC 5246 §7.2: 1 warning, 2 fatal) and which OpenSSL answers with
 * "unknown alert type" (seen in mcsim against a node:tls host). Level 1, as the RFC shows it.
 */
class AcquirerSession extends Session {
  override close(pipe: Parameters<Session['close']>[0]): void {
    pipe.writable = pipe.write(SSLAlert.packetize(this, 1, SSLAlert.close_notify));
  }
}

function newSession(options: TlsSessionOptions): TlsSession {
  return new AcquirerSession(options);
}

function openTls(options: StreamSocketOptions, trust: TlsTrust): StreamSocket {
  return new TlsSocket(options, trust, openTcp, newSession);
}

function resolve(name: string, callback: (address: string | undefined) => void): void {
  // The SDK passes undefined (lwIP) or an empty string when a name has no IPv4 address.
  Net.resolve(name, (_name: string, address?: string) => callback(address || undefined));
}

function sntp(host: string, onMessage: (message: number, value?: number | string) => void): SdkSntpClient {
  // Returning nothing from an error tells the client not to try another host: the core asks the next itself.
  // The client is a Socket (sntp.js extends it): its close() also clears the retry timer (the SDK's typings omit it).
  return new SNTP({ host }, (message, value) => void onMessage(message, value as number | string | undefined)) as unknown as SdkSntpClient;
}

/** Module-level functions: built when the preloaded module is, so their code stays in flash. */
const SDK_SOCKETS: SocketStack = Object.freeze({ openTcp, openTls, resolve, sntp });

export class TcpNetwork extends NetworkAdapter {
  /** `link` is the Wi-Fi join's: the board's only interface. */
  constructor(link: () => { up: boolean; address?: string }) {
    super(link, SDK_SOCKETS);
  }
}
