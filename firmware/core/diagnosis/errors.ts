/**
 * The diagnosis module's one error type. Bytes that come back from flash (the evidence history)
 * or from a person (a support code, a QR payload) may be anything: they are refused with a
 * stable code, never a crash, and nothing else is lost.
 */
export type DiagnosisErrorCode =
  /** The evidence history record is not the CBOR shape history.ts writes. */
  | 'history-malformed'
  /** The evidence history record was written in a format this firmware does not know. */
  | 'history-format'
  /** A QR summary that does not decode, or of a format this firmware does not know (summary.ts). */
  | 'summary-malformed'
  | 'summary-version'
  /** A support code that does not decode, fails its check character, or has an unknown format (supportCode.ts). */
  | 'support-code-malformed'
  | 'support-code-check'
  | 'support-code-version'
  /** A diagnosis with a value a summary or support code cannot carry (summary.ts, supportCode.ts). */
  | 'diagnosis-range';

export class DiagnosisError extends Error {
  override readonly name = 'DiagnosisError';
  constructor(
    readonly code: DiagnosisErrorCode,
    message: string,
  ) {
    super(message);
  }
}
