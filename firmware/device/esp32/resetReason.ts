/**
 * Why the ESP32 last reset, from esp_reset_reason() (ESP-IDF esp_reset_reason_t), mapped to
 * the core's words. The external reset pin (EN, pressed or pulled by a supervisor) restarts
 * the chip from cold like a power cycle, so it reads as 'power-on'.
 */
import getResetReason from 'resetReason';
import type { ResetReason } from '../../core/ports';

/** Indexed by esp_reset_reason_t; codes past the end (newer IDF: USB, JTAG, eFuse, glitch, lockup) are 'unknown'. */
const REASONS: readonly ResetReason[] = Object.freeze([
  'unknown', // ESP_RST_UNKNOWN
  'power-on', // ESP_RST_POWERON
  'power-on', // ESP_RST_EXT: reset pin
  'software', // ESP_RST_SW: esp_restart()
  'panic', // ESP_RST_PANIC: exception or abort
  'watchdog', // ESP_RST_INT_WDT
  'watchdog', // ESP_RST_TASK_WDT
  'watchdog', // ESP_RST_WDT: other watchdogs
  'deep-sleep', // ESP_RST_DEEPSLEEP
  'brownout', // ESP_RST_BROWNOUT
  'unknown', // ESP_RST_SDIO
]);

export function readResetReason(): ResetReason {
  const { reason } = getResetReason();
  return REASONS[reason] ?? 'unknown';
}
