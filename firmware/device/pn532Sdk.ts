/**
 * The SDK's ECMA-419 serial and I2C as the PN532 links' openers (pn532Hsu.ts, pn532I2c.ts).
 * ESP32: modules/io/serial/esp32 and modules/io/i2c/esp32.
 */
import Serial from 'embedded:io/serial';
import I2C from 'embedded:io/i2c';
import type { HsuSerial, HsuSerialOptions } from './pn532Hsu';
import type { I2cBus, I2cBusOptions } from './pn532I2c';

export function openPn532Serial(options: HsuSerialOptions): HsuSerial {
  return new Serial(options as unknown as ConstructorParameters<typeof Serial>[0]) as unknown as HsuSerial;
}

export function openPn532I2c(options: I2cBusOptions): I2cBus {
  return new I2C(options) as unknown as I2cBus;
}
