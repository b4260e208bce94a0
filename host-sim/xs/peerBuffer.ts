/**
 * Injected by esbuild into the iso_8583 bench bundle (bench/iso8583.ts): every free `Buffer` in the
 * peer's code becomes the `buffer` package's (6.0.3, Node's Buffer API on Uint8Array), as XS has none.
 */
export { Buffer } from 'buffer';
