/**
 * The ports one boot of the terminal holds, cut off when its power goes. On the board a power cut
 * stops the CPU: nothing the old run had under way writes anything afterwards. In the simulator
 * the old terminal's objects live on (an exchange it awaited may still settle after the reboot),
 * so each boot gets fenced ports: once `cut()` is called, its flash and settings refuse every
 * call (PortError 'flash-power' / 'settings'), its display, trace and network go silent, and
 * socket events meant for it are dropped. Engine-neutral: both lanes' drivers use it.
 */
import { PortError, type Ports, type TcpConnection, type UpdatePort } from '../../firmware/core/ports';

export interface FencedPorts {
  ports: Ports;
  /** The power is gone for this boot: nothing from it reaches the world any more. */
  cut(): void;
}

/** The update slots of one boot: nothing reaches them once its power is gone. */
function fenceUpdate(update: UpdatePort, live: () => boolean): UpdatePort {
  const check = () => {
    if (!live()) throw new PortError('flash-power', 'flash has no power (this boot ended)');
  };
  return {
    board: update.board,
    slotBytes: update.slotBytes,
    sectorSize: update.sectorSize,
    running: () => update.running(),
    eraseSector: (index) => (check(), update.eraseSector(index)),
    write: (offset, data) => (check(), update.write(offset, data)),
    read: (offset, length) => (check(), update.read(offset, length)),
    activate: () => (check(), update.activate()),
    markValid: () => (check(), update.markValid()),
    rollback: () => (check(), update.rollback()),
  };
}

export function fencePorts(world: Ports): FencedPorts {
  let live = true;
  const flashDead = () => new PortError('flash-power', 'flash has no power (this boot ended)');
  const { flash, settings, network, display } = world;
  const ports: Ports = {
    ...world,
    flash: {
      byteLength: flash.byteLength,
      sectorSize: flash.sectorSize,
      read: (offset, length) => {
        if (!live) throw flashDead();
        return flash.read(offset, length);
      },
      write: (offset, bytes) => {
        if (!live) throw flashDead();
        flash.write(offset, bytes);
      },
      eraseSector: (sector) => {
        if (!live) throw flashDead();
        flash.eraseSector(sector);
      },
    },
    settings: {
      get: (domain, key) => (live ? settings.get(domain, key) : undefined),
      set: (domain, key, value) => {
        if (!live) throw new PortError('settings', 'settings have no power (this boot ended)');
        settings.set(domain, key, value);
      },
      delete: (domain, key) => {
        if (live) settings.delete(domain, key);
      },
    },
    network: {
      link: () => (live ? network.link() : { up: false }),
      resolve: (name, callback) => network.resolve(name, (address) => live && callback(address)),
      connect(options): TcpConnection {
        // Each callback is called as a method of the caller's options (the link's attempt is its own options object).
        const connection = network.connect({
          host: options.host,
          port: options.port,
          ...(options.tls ? { tls: options.tls } : {}),
          onConnect: () => void (live && options.onConnect()),
          onReadable: (bytes) => void (live && options.onReadable(bytes)),
          onError: (error) => void (live && options.onError(error)),
          onClose: () => void (live && options.onClose()),
        });
        return {
          write: (bytes) => {
            if (!live) throw new PortError('socket', 'no power');
            connection.write(bytes);
          },
          close: () => connection.close(),
        };
      },
      ...(network.sntp ? { sntp: (host: string, callback: (wallMs: number | undefined, detail: string) => void) => network.sntp!(host, (wallMs, detail) => void (live && callback(wallMs, detail))) } : {}),
    },
    display: {
      width: display.width,
      height: display.height,
      font: display.font,
      status: () => display.status(),
      draw: (list) => void (live && display.draw(list)),
    },
    trace: (line) => void (live && world.trace(line)),
    ...(world.update ? { update: fenceUpdate(world.update, () => live) } : {}),
  };
  return { ports, cut: () => (live = false) };
}
