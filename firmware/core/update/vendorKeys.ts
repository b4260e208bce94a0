/**
 * The vendor keys this firmware trusts to sign images (issue 10, item 1): ECDSA P-256 public
 * keys, SubjectPublicKeyInfo DER in hex, each under the key id a manifest names (`keyId`).
 *
 * "xspos-demo-1" is a DEMO key: its private key is public, in this repository
 * (host-sim/update/demo-vendor-key.pem), so anyone can sign an image it accepts. It is here for
 * host-sim, the scenarios and the tests. A vendor building for the field generates its own key
 * (kept offline: `openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt`),
 * puts its public key here (`openssl pkey -in key.pem -pubout -outform DER | xxd -p | tr -d '\n'`)
 * under a new key id, removes the demo key, and signs with `xspos-tool image sign --key-id ID`.
 * See host-sim/update/demo-vendor-key.README.md.
 */
import { deepFreeze } from '../freeze';

export interface VendorKey {
  /** The manifest's `keyId` (1..32 printable ASCII). */
  readonly keyId: string;
  /** ECDSA P-256 public key, SubjectPublicKeyInfo DER, hex. */
  readonly spki: string;
}

/** Key id of the demo key. */
export const DEMO_KEY_ID = 'xspos-demo-1';

/**
 * The demo key's public key. Keep this constant when the demo entry leaves VENDOR_KEYS: the
 * image probe (selftest/probes/imageProbe.ts) knows the demo key by it, and warns
 * 'image.demo-key' on any board but the simulator's whose running image it signed.
 */
export const DEMO_KEY_SPKI =
  '3059301306072a8648ce3d020106082a8648ce3d03010703420004ac6d6d79e4b5a0f8d4df24fd1285126640068d8de441fdced97b216d82bf81eb7b00efa02cd7a5e13557a61525a02336d002cc1dc37fc9d7edaf734fb2d5e9e5';

/** The simulator's board (host-sim and the Moddable simulator's update port), where the demo key is expected. */
export const DEMO_BOARD = 'xspos-sim';

/** The trusted keys (at most 8: each a linear lookup). */
export const VENDOR_KEYS: readonly VendorKey[] = deepFreeze([{ keyId: DEMO_KEY_ID, spki: DEMO_KEY_SPKI }]);
