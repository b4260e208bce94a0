/** The SDK's ECMA-419 serial (`embedded:io/serial`) as the input modules' OpenSerial. */
import Serial from 'embedded:io/serial';
import type { SerialLike, SerialLikeOptions } from './serialInput';

export function openUart(options: SerialLikeOptions): SerialLike {
  return new Serial(options as unknown as ConstructorParameters<typeof Serial>[0]) as unknown as SerialLike;
}
