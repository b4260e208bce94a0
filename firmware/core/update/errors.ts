/**
 * The typed error of the update code: a manifest, seal or signature that is refused, an HTTP
 * answer that cannot be used, an image that does not match what was signed. `code` is stable
 * and machine-readable; the message says what was found, never key material.
 */
export type UpdateErrorCode =
  /** The manifest's CBOR or one of its fields is malformed or out of range. */
  | 'update-manifest'
  /** The seal (manifest + signature envelope) is malformed. */
  | 'update-seal'
  /** No trusted key has the manifest's key id. */
  | 'update-key'
  /** The signature does not verify under the trusted key. */
  | 'update-signature'
  /** The image's SHA-256 differs from the manifest's. */
  | 'update-hash'
  /** The image's size differs from the manifest's, or does not fit the slot. */
  | 'update-size'
  /** The manifest names another board. */
  | 'update-board'
  /** Older than the running image, or its security counter below the anti-rollback floor. */
  | 'update-downgrade'
  /** The running image is older than the manifest's minimum version. */
  | 'update-min-version'
  /** A version this terminal already tried and rolled back (not offered again until a newer one). */
  | 'update-known-bad'
  /** The server's URL setting is malformed. */
  | 'update-url'
  /** The server could not be reached or closed early. */
  | 'update-server'
  /** The server's answer is not a usable HTTP answer (status, headers, length, range). */
  | 'update-http'
  /** Fewer bytes came than the answer announced. */
  | 'update-truncated'
  /** Writing the inactive slot failed. */
  | 'update-flash'
  /** The durable update record is malformed. */
  | 'update-state';

export class UpdateError extends Error {
  override readonly name = 'UpdateError';
  constructor(readonly code: UpdateErrorCode, message: string) {
    super(message);
  }
}
