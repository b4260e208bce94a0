/**
 * The diagnosis module's one error type. Codes are stable strings: the toolbox prints them and
 * tests match them. Each part of the module adds its own codes to the union.
 */
export type DiagnosisErrorCode =
  /** Summary bytes that are not the CBOR map summary.ts writes (a key, type or bound wrong). */
  | 'summary-malformed'
  /** A summary of a format version this firmware does not know. */
  | 'summary-version'
  /** Text that is not a support code: wrong length, or a character outside Crockford's alphabet. */
  | 'support-code-malformed'
  /** A support code whose check character does not match: a character misread or two swapped. */
  | 'support-code-check'
  /** A support code of a format version this firmware does not know. */
  | 'support-code-version'
  /** A value the support code or summary cannot carry (a cause number past its bit field). */
  | 'diagnosis-range';

export class DiagnosisError extends Error {
  override readonly name = 'DiagnosisError';
  constructor(readonly code: DiagnosisErrorCode, message: string) {
    super(message);
  }
}
