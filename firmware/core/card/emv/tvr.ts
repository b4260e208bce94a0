/**
 * Terminal Verification Results (95, 5 bytes) and Transaction Status Information (9B, 2 bytes),
 * EMV 4.4 Book 3 Annex C5 and C6. A bit is [byte index 0–4, mask].
 */
import type { OdaOutcome } from './oda';

export type TvrBit = readonly [number, number];

export const TVR = Object.freeze({
  odaNotPerformed: [0, 0x80] as TvrBit,
  sdaFailed: [0, 0x40] as TvrBit,
  iccDataMissing: [0, 0x20] as TvrBit,
  cardOnExceptionFile: [0, 0x10] as TvrBit,
  ddaFailed: [0, 0x08] as TvrBit,
  cdaFailed: [0, 0x04] as TvrBit,
  sdaSelected: [0, 0x02] as TvrBit,
  versionsDiffer: [1, 0x80] as TvrBit,
  applicationExpired: [1, 0x40] as TvrBit,
  applicationNotYetEffective: [1, 0x20] as TvrBit,
  serviceNotAllowed: [1, 0x10] as TvrBit,
  newCard: [1, 0x08] as TvrBit,
  cvmNotSuccessful: [2, 0x80] as TvrBit,
  unrecognisedCvm: [2, 0x40] as TvrBit,
  pinTryLimitExceeded: [2, 0x20] as TvrBit,
  pinPadMissing: [2, 0x10] as TvrBit,
  pinNotEntered: [2, 0x08] as TvrBit,
  onlinePinEntered: [2, 0x04] as TvrBit,
  floorLimitExceeded: [3, 0x80] as TvrBit,
  lowerOfflineLimitExceeded: [3, 0x40] as TvrBit,
  upperOfflineLimitExceeded: [3, 0x20] as TvrBit,
  randomlySelectedOnline: [3, 0x10] as TvrBit,
  merchantForcedOnline: [3, 0x08] as TvrBit,
  defaultTdolUsed: [4, 0x80] as TvrBit,
  issuerAuthenticationFailed: [4, 0x40] as TvrBit,
  scriptFailedBeforeAc: [4, 0x20] as TvrBit,
  scriptFailedAfterAc: [4, 0x10] as TvrBit,
});

export const TSI = Object.freeze({
  odaPerformed: [0, 0x80] as TvrBit,
  cvmPerformed: [0, 0x40] as TvrBit,
  cardRiskManagementPerformed: [0, 0x20] as TvrBit,
  issuerAuthenticationPerformed: [0, 0x10] as TvrBit,
  terminalRiskManagementPerformed: [0, 0x08] as TvrBit,
  scriptProcessingPerformed: [0, 0x04] as TvrBit,
});

export function setBit(bytes: Uint8Array, bit: TvrBit): void {
  bytes[bit[0]] |= bit[1];
}

export function hasBit(bytes: Uint8Array, bit: TvrBit): boolean {
  return (bytes[bit[0]] & bit[1]) !== 0;
}

/** Names of the TVR bits set (for traces and tests). */
export function tvrBits(tvr: Uint8Array): string[] {
  const out: string[] = [];
  const names = Object.keys(TVR) as (keyof typeof TVR)[];
  for (let i = 0; i < names.length; i++) if (hasBit(tvr, TVR[names[i]])) out.push(names[i]);
  return out;
}

/** Sets the TVR and TSI bits an ODA outcome calls for (Book 3 §10.3, C5). */
export function applyOda(tvr: Uint8Array, tsi: Uint8Array, outcome: OdaOutcome): void {
  if (outcome.method === 'none') {
    setBit(tvr, TVR.odaNotPerformed);
    return;
  }
  setBit(tsi, TSI.odaPerformed);
  if (outcome.method === 'sda') setBit(tvr, TVR.sdaSelected);
  if (outcome.ok) return;
  if (outcome.failure === 'missing-data') setBit(tvr, TVR.iccDataMissing);
  setBit(tvr, outcome.method === 'sda' ? TVR.sdaFailed : outcome.method === 'dda' ? TVR.ddaFailed : TVR.cdaFailed);
}
