/**
 * Every diagnosis and activation screen of the fixtures, in both languages and on both keypads,
 * as one JSON text (bits as hex): what the Node and XS lanes must agree on byte for byte.
 */
import { encodeSummary } from '../../firmware/core/diagnosis/summary';
import { supportCode } from '../../firmware/core/diagnosis/supportCode';
import type { KeypadLayout } from '../../firmware/core/ports';
import { encodeQr } from '../../firmware/core/qr/encode';
import { ACTIVATION_STAGES } from '../../firmware/core/ui/activationTexts';
import { createDiagnosisScreens } from '../../firmware/core/ui/diagnosisScreens';
import type { DisplayList } from '../../firmware/core/ui/displayList';
import { parseFont } from '../../firmware/core/ui/font';
import { DNS_FAILURE, HOST_NOT_REGISTERED, NOTHING_FOUND, worstCase } from './diagnosisFixtures';

const hex = (bytes: Uint8Array): string => {
  let out = '';
  for (const b of bytes) out += (b < 16 ? '0' : '') + b.toString(16);
  return out;
};

export function diagnosisScreenSet(fontAsset: Uint8Array): string {
  const font = parseFont(fontAsset);
  const lists: DisplayList[] = [];
  const ids = { terminalId: '10240001', firmwareVersion: '0.7.0' };
  const cases = [DNS_FAILURE, HOST_NOT_REGISTERED, NOTHING_FOUND, worstCase()].map((d) => ({ d, code: supportCode(d), qr: encodeQr(encodeSummary(d, ids)) }));
  for (const keys of ['pin-pad', 'one-button'] as KeypadLayout[]) {
    const screens = createDiagnosisScreens(font, keys);
    for (const lang of ['zh', 'en'] as const) {
      const base = { lang, ...ids };
      for (const { d, code, qr } of cases)
        for (let n = 0; n < screens.pageCount(d); n++) lists.push(screens.page(d, n, { ...base, supportCode: code, qr }, n === 0 ? undefined : 'sign-on'));
      lists.push(screens.notActivated({ ...base, serialNumber: 'XSPOS-24A1B2C3D4E5' }), screens.codeEntry('1234567', base));
      for (const stage of ACTIVATION_STAGES) lists.push(screens.activating({ ...base, stage }));
      lists.push(screens.activationResult({ kind: 'activated', tid: '10240001', mid: '898440154110001' }, base), screens.activationResult({ kind: 'refused', reason: 'kcv-mismatch' }, base));
    }
  }
  return JSON.stringify(lists, (_, value) => (value instanceof Uint8Array ? hex(value) : value));
}
