/**
 * The ESP32 reset reason (firmware/device/esp32/resetReason.ts) over a fake of the SDK's
 * `resetReason` module (build/devices/esp32/modules/resetReason: esp_reset_reason() as a number),
 * against ESP-IDF's esp_reset_reason_t (components/esp_system/include/esp_system.h, IDF 5.x):
 * UNKNOWN 0, POWERON 1, EXT 2, SW 3, PANIC 4, INT_WDT 5, TASK_WDT 6, WDT 7, DEEPSLEEP 8,
 * BROWNOUT 9, SDIO 10, USB 11, JTAG 12, EFUSE 13, PWR_GLITCH 14, CPU_LOCKUP 15.
 */
const mockReason = { value: 0 };
jest.mock('resetReason', () => ({ __esModule: true, default: () => ({ reason: mockReason.value, string: '' }) }), { virtual: true });

import { readResetReason } from '../../firmware/device/esp32/resetReason';

describe('ESP32 reset reasons', () => {
  it.each([
    [0, 'ESP_RST_UNKNOWN', 'unknown'],
    [1, 'ESP_RST_POWERON', 'power-on'],
    [2, 'ESP_RST_EXT', 'power-on'],
    [3, 'ESP_RST_SW', 'software'],
    [4, 'ESP_RST_PANIC', 'panic'],
    [5, 'ESP_RST_INT_WDT', 'watchdog'],
    [6, 'ESP_RST_TASK_WDT', 'watchdog'],
    [7, 'ESP_RST_WDT', 'watchdog'],
    [8, 'ESP_RST_DEEPSLEEP', 'deep-sleep'],
    [9, 'ESP_RST_BROWNOUT', 'brownout'],
    [10, 'ESP_RST_SDIO', 'unknown'],
    [11, 'ESP_RST_USB', 'software'],
    [12, 'ESP_RST_JTAG', 'software'],
    [13, 'ESP_RST_EFUSE', 'unknown'],
    [14, 'ESP_RST_PWR_GLITCH', 'brownout'],
    [15, 'ESP_RST_CPU_LOCKUP', 'panic'],
    [16, 'a newer IDF\'s code', 'unknown'],
    [-1, 'garbage', 'unknown'],
  ])('%d (%s) is %s', (code, _name, reason) => {
    mockReason.value = code;
    expect(readResetReason()).toBe(reason);
  });
});
