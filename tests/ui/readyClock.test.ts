/**
 * The idle screen's clock is refreshed each minute by drawing only its area over the ready
 * screen: what the panel then shows must be, pixel for pixel, the ready screen drawn whole at
 * that time.
 */
import { readFileSync } from 'node:fs';
import { createTerminal } from '../../firmware/core/runtime/terminal';
import { createScreens } from '../../firmware/core/ui/screens';
import { PanelImage } from '../../firmware/core/ui/panelImage';
import { rasterize } from '../../host-sim/render/raster';
import { worldWith } from '../runtime/world';
import { committedFont, FONT_ASSET } from './uiFont';

const font = committedFont();
const screens = createScreens(new Uint8Array(readFileSync(FONT_ASSET)), 'one-button');
const pixels = (list: Parameters<typeof rasterize>[0]) => Buffer.from(rasterize(list, font).rgb);
const T0 = Date.UTC(2026, 10, 26, 9, 0);

describe('ready screen clock refresh', () => {
  for (const lang of ['zh', 'en'] as const)
    it(`${lang}: the clock drawn over a ready screen gives the ready screen of that minute`, () => {
      const context = { lang, terminalId: '10240001', merchantId: '898440154110001', firmwareVersion: '0.1.0', lastVerdict: 'pass' as const };
      for (const later of [60_000, 61 * 60_000, 15 * 3600_000 + 59 * 60_000, 400 * 86_400_000]) {
        const panel = new PanelImage();
        panel.draw(screens.ready({ ...context, wallMs: T0 }));
        const clock = screens.readyClock({ ...context, wallMs: T0 + later });
        expect(clock.area).toBeDefined();
        expect(clock.ops.length).toBeLessThan(4);
        panel.draw(clock);
        const whole = pixels(screens.ready({ ...context, wallMs: T0 + later }));
        expect(pixels(panel.current!).equals(whole)).toBe(true);
        // and it is not what the minute before showed
        expect(pixels(screens.ready({ ...context, wallMs: T0 })).equals(whole)).toBe(false);
      }
    });

  it('a terminal idle for an hour redraws only the clock each minute, and the panel reads the time', async () => {
    const world = worldWith({ lang: 'en' });
    const terminal = createTerminal(world.ports);
    await terminal.boot();
    // The sign-on that follows the boot's self-test draws its own screens; the idle hour starts after it.
    await terminal.whenIdle();
    const drawn: { area: boolean }[] = [];
    const draw = world.ports.display.draw.bind(world.ports.display);
    world.ports.display.draw = (list) => {
      drawn.push({ area: list.area !== undefined });
      draw(list);
    };
    await world.clock.advance(3600_000);
    expect(drawn).toHaveLength(60);
    expect(drawn.every((d) => d.area)).toBe(true);
    const wallMs = world.clock.wallMs();
    const whole = screens.ready({ lang: 'en', terminalId: '10240001', merchantId: '898440154110001', firmwareVersion: world.ports.system.firmwareVersion, wallMs, lastVerdict: terminal.lastReport!.verdict });
    expect(pixels(world.display.current!).equals(pixels(whole))).toBe(true);
    terminal.stop();
  });
});
