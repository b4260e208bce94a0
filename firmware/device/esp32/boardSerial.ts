/** The board's serial number: its eFuse base MAC (boardSerial.c) as 12 upper-case hex digits, e.g. "240AC4123456". */
import { toHex } from '../../core/bytes';

/** Body and parameters match xsc's pattern, so the call compiles to the host function itself. */
function efuseMac(this: unknown, into: Uint8Array): void {
  return native('xs_xspos_efuse_mac').call(this, into);
}

export function readBoardSerial(): string {
  const mac = new Uint8Array(6);
  efuseMac(mac);
  return toHex(mac).toUpperCase();
}
