/**
 * XS side of `npm run bench`: the record log's own work on XS, with the flash emulated inside
 * XS too, so the computrons metered are the log's and cbor-x's, not the bridge's.
 * Command: "appends:<n>" → replies with the number of records read back.
 */
import { createCborCodec } from '../../firmware/core/store/cbor';
import { RecordLog, RecordType } from '../../firmware/core/store/recordLog';
import { NorFlash } from '../ports/norFlash';

declare const globalThis: Record<string, unknown>;
const text = globalThis.__xsLaneText as { encode(s: string): Uint8Array; decode(b: Uint8Array): string };

globalThis.handleCommand = (message: ArrayBuffer) => {
  const [what, count] = text.decode(new Uint8Array(message)).split(':');
  if (what !== 'appends') throw new Error(`unknown bench command ${what}`);
  const cbor = createCborCodec();
  const log = RecordLog.open(new NorFlash({ sectors: 16, sectorSize: 4096 }));
  for (let i = 0; i < Number(count); i++)
    log.append(RecordType.event, cbor.encode({ kind: 'transition', from: 'ready', to: 'selftest', cause: 'selftest-periodic', uptimeMs: i * 1000, wallMs: 1795000000000 + i }));
  let read = 0;
  for (const _ of log.records()) read++;
  return text.encode(String(read)).slice().buffer;
};
