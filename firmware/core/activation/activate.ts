/**
 * Field activation, the terminal's side (申请 → 审核 → 发放; issue 8 contract §6): the terminal
 * makes its own P-256 key pair, sends its serial number, public key and the activation code;
 * the host binds TID and MID to the board and answers with the master key sealed for it (ECDH
 * with an ephemeral key, X9.63 KDF, AES-128-CBC) and its check value. The crypto port opens the
 * envelope; the key is stored only when its check value matches, in the order a reboot cannot
 * strand (activationState.ts): a pending record and the IDs first, the key, then the record.
 *
 * Every refusal is an outcome, with the reason the diagnosis uses as evidence
 * (`activation.<reason>`): the host's (D5), 'kcv-mismatch', 'unreachable' (no answer) and
 * 'malformed' (an answer that cannot be read, or an envelope that cannot be opened). The board's
 * own refusals (no key storage, a settings write) are ActivationDeviceError here; the runtime
 * shows them as the outcome 'device-refused' (runtime/activationDuties.ts).
 */
import type { KeyHandle, Ports } from '../ports';
import type { AcquirerProfile } from '../config/acquirerProfile';
import { readTerminalId, SETTINGS_DOMAIN } from '../config/terminalConfig';
import { fromHex, toHex } from '../bytes';
import { errorText } from '../errorText';
import { dialectById } from '../host/dialects';
import { decodeCupHeader, decodeFrame, encodeCupHeader, encodeFrame } from '../host/frame';
import { packMessage, unpackMessage } from '../host/iso8583';
import type { HostLink } from '../host/link';
import { pad } from '../host/messages';
import type { Iso8583Message } from '../host/types';
import { constantTimeEqual } from '../security/blocks';
import { checkValue, defaultCheckValueMethod } from '../security/checkValue';
import { envelopeSharedInfo } from '../security/keyEnvelope';
import { MASTER_KEY_SLOT } from '../security/keyStore';
import type { CborCodec } from '../store/cbor';
import { maskCardNumbers } from '../ui/evidenceText';
import { ACTIVATION_CODE_RULE, isActivationCode } from './activationCode';
import { activationRequest, parseActivationAnswer, ACTIVATION_KCV_BYTES, type HostRefusalReason } from './activationMessages';
import { ACTIVATION_DOMAIN, ACTIVATION_PENDING_KEY, writeActivationRecord, type ActivationRecord } from './activationState';

/** 'device-refused': the board would not store the key or the activation (ActivationDeviceError). */
export type ActivationRefusal = HostRefusalReason | 'kcv-mismatch' | 'unreachable' | 'malformed' | 'device-refused';

export type ActivationOutcome =
  | { kind: 'activated'; tid: string; mid: string }
  /** `detail`: for the technician (stage, field, check values); never a key or the code. */
  | { kind: 'refused'; reason: ActivationRefusal; detail: string };

export interface ActivationDeps {
  /** crypto (device key, envelope, key slot), settings (IDs, record), system (serial number), clock, trace. */
  ports: Ports;
  cbor: CborCodec;
  /** The terminal's link to its acquirer (its hosts, timeouts, retries and TLS). */
  link: HostLink;
  /** The provisioned profile: dialect, TPDU and header of the request. */
  profile: AcquirerProfile;
  /** The host session's counters (HostJournal fits), so the STAN does not repeat one a sale used; without them a random STAN. */
  counters?: { nextStan(): string; readonly batch: number };
  /** The flow moving on (申请 → 审核 → 发放, for the screen): 'review' as the request goes to the host, 'issue' once its answer carries a key. */
  onStage?: (stage: 'review' | 'issue') => void;
}

/** Local failures: the crypto port or the settings refused (not the host: those are outcomes). */
export class ActivationDeviceError extends Error {
  override readonly name = 'ActivationDeviceError';
  readonly code = 'activation-device';
  constructor(message: string) {
    super(message);
  }
}

const refused = (reason: ActivationRefusal, detail: string): ActivationOutcome => ({ kind: 'refused', reason, detail });

/** A STAN from the RNG, 000001–999999, for a terminal without a session yet. */
function randomStan(ports: Ports): string {
  const b = ports.crypto.randomBytes(3);
  return pad((((b[0] << 16) | (b[1] << 8) | b[2]) % 999999) + 1, 6);
}

/**
 * Activates the terminal with `code` (the digits the operator keyed in). On 'activated' the
 * master key is in its slot (MASTER_KEY_SLOT), TID and MID are in the terminal settings and the
 * activation record is written: the caller signs on next (working keys under an earlier master
 * key no longer unwrap). On any refusal nothing is stored. Resolves; never rejects for the host.
 * @throws ActivationDeviceError when the crypto port or the settings refuse (no device key, a key
 * storage the board does not allow, a settings write)
 */
export async function activate(code: string, deps: ActivationDeps): Promise<ActivationOutcome> {
  const { ports, profile } = deps;
  const { settings } = ports;
  const keyPort = ports.crypto;
  // A code that cannot be sent is a wrong one; no key pair is made for it.
  if (!isActivationCode(code)) return refused('code-wrong', `the activation code must be ${ACTIVATION_CODE_RULE}`);
  const dialect = dialectById(profile.dialect);
  if (!dialect) throw new ActivationDeviceError(`no dialect ${profile.dialect}`);
  const serial = ports.system.serialNumber;
  const stan = deps.counters ? deps.counters.nextStan() : randomStan(ports);
  let frame: Uint8Array;
  try {
    const merchantId = settings.get(SETTINGS_DOMAIN, 'mid');
    const message = activationRequest({
      stan,
      batch: deps.counters?.batch ?? 0,
      terminalId: readTerminalId(settings),
      merchantId: typeof merchantId === 'string' ? merchantId : undefined,
      serial,
      publicKey: keyPort.createDeviceKey(),
      code,
    });
    // Management messages go with the magstripe application type (as sign-on does).
    const header = encodeCupHeader({ ...decodeCupHeader(fromHex(profile.header)), appType: 0x60 });
    frame = encodeFrame(fromHex(profile.tpdu), header, packMessage(dialect, message));
  } catch (error) {
    throw new ActivationDeviceError(`request: ${errorText(error)}`);
  }

  let answer: Iso8583Message | undefined;
  const match = (body: Uint8Array): 'match' | 'stray' => {
    try {
      const message = unpackMessage(dialect, decodeFrame(body, dialect.headerLength).message);
      // The host assigns field 41, so an answer is matched by MTI and STAN alone.
      if (message.mti !== '0810' || message.fields.get(11) !== stan) return 'stray';
      answer = message;
      return 'match';
    } catch {
      return 'stray';
    }
  };
  ports.trace(`activation: request STAN ${stan}, serial ${serial}`);
  // Resent on a timeout: the host binds by serial number, so a second request from this board
  // gets a new key for the same device key, and each attempt has its own connection.
  deps.onStage?.('review');
  const result = await deps.link.exchange(frame, match, true);
  if (!result.ok) {
    ports.trace(`activation: no answer (${result.stage}: ${result.detail})`);
    return refused('unreachable', `${result.stage}: ${result.detail}`);
  }
  let parsed;
  try {
    parsed = parseActivationAnswer(answer!);
  } catch (error) {
    ports.trace(`activation: answer unreadable: ${errorText(error)}`);
    return refused('malformed', errorText(error));
  }
  if (parsed.kind === 'refused') {
    // The host's words as they came, but never a card number in a trace or in evidence.
    const detail = `response code ${parsed.responseCode}, reason ${parsed.reason}${parsed.hostText ? `: ${maskCardNumbers(parsed.hostText)}` : ''}`;
    ports.trace(`activation: refused by host ${result.host} (${detail})`);
    return refused(parsed.reason, detail);
  }
  deps.onStage?.('issue');

  let key: KeyHandle;
  try {
    key = keyPort.openMasterKeyEnvelope(parsed.ephemeralPoint, parsed.wrappedKey, parsed.algorithm, envelopeSharedInfo(serial));
  } catch (error) {
    ports.trace(`activation: envelope cannot be opened: ${errorText(error)}`);
    return refused('malformed', `field 62.D1/D2: ${errorText(error)}`);
  }
  try {
    let got: Uint8Array;
    try {
      got = checkValue(keyPort, key, ACTIVATION_KCV_BYTES, defaultCheckValueMethod(parsed.algorithm));
    } catch (error) {
      throw new ActivationDeviceError(`check value: ${errorText(error)}`);
    }
    if (!constantTimeEqual(got, parsed.checkValue)) {
      const detail = `master key check value ${toHex(got).toUpperCase()}, the host's ${toHex(parsed.checkValue).toUpperCase()}`;
      ports.trace(`activation: ${detail}: key not stored`);
      return refused('kcv-mismatch', detail);
    }
    const record: ActivationRecord = { activatedAt: ports.clock.wallMs(), serial, host: result.host, tid: parsed.terminalId, mid: parsed.merchantId };
    storeActivation(deps, key, record);
    ports.trace(`activation: activated as ${parsed.terminalId} by host ${result.host}, ${parsed.algorithm} master key KCV ${toHex(got).toUpperCase()}`);
    return { kind: 'activated', tid: parsed.terminalId, mid: parsed.merchantId };
  } finally {
    // The slot holds its own copy; this handle is done either way.
    keyPort.forgetKey(key);
  }
}

/**
 * Stores an activation in the order a reboot between any two writes cannot strand
 * (activationState.ts completeActivation): pending record, TID, MID, key, record, pending gone.
 * @throws ActivationDeviceError when a write fails before the key is stored (a refused key
 * leaves the IDs as they were and no pending record, as far as the settings allow)
 */
function storeActivation(deps: ActivationDeps, key: KeyHandle, record: ActivationRecord): void {
  const { ports, cbor } = deps;
  const { settings } = ports;
  const before = { tid: settings.get(SETTINGS_DOMAIN, 'tid'), mid: settings.get(SETTINGS_DOMAIN, 'mid') };
  try {
    writeActivationRecord(settings, cbor, record, ACTIVATION_PENDING_KEY);
    settings.set(SETTINGS_DOMAIN, 'tid', record.tid);
    settings.set(SETTINGS_DOMAIN, 'mid', record.mid);
  } catch (error) {
    throw new ActivationDeviceError(`storing the activation: ${errorText(error)}`);
  }
  try {
    ports.crypto.storeMasterKey(MASTER_KEY_SLOT, key);
  } catch (error) {
    undo(ports, before);
    throw new ActivationDeviceError(`storing the master key: ${errorText(error)}`);
  }
  try {
    writeActivationRecord(settings, cbor, record);
    settings.delete(ACTIVATION_DOMAIN, ACTIVATION_PENDING_KEY);
  } catch (error) {
    // The key is stored: the pending record completes the activation at the next boot.
    ports.trace(`activation: record not written (${errorText(error)}): the next boot completes it`);
  }
}

/** The board refused the key: the IDs as they were, no pending record (best effort: a failing settings store is reported by the flash probe). */
function undo(ports: Ports, before: { tid: unknown; mid: unknown }): void {
  const { settings } = ports;
  try {
    for (const name of ['tid', 'mid'] as const) {
      const value = before[name];
      if (typeof value === 'string') settings.set(SETTINGS_DOMAIN, name, value);
      else settings.delete(SETTINGS_DOMAIN, name);
    }
    settings.delete(ACTIVATION_DOMAIN, ACTIVATION_PENDING_KEY);
  } catch (error) {
    ports.trace(`activation: not undone (${errorText(error)}): the next boot drops the pending record`);
  }
}
