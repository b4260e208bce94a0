/**
 * What a panel shows after a series of display lists: the last whole screen, with the newest
 * list drawn over each area that lists with an `area` repainted since. The simulator's display
 * and the XS lane keep their screen with it, so a capture shows what the panel shows; the
 * device needs none (its panel keeps the pixels).
 */
import type { Area, DisplayList, DisplayOp } from './displayList';

const areaKey = (a: Area) => `${a.x},${a.y},${a.w},${a.h}`;

export class PanelImage {
  #whole: DisplayList | undefined;
  /** Newest list per repainted area (bounded by the few areas screens repaint). */
  #patches = new Map<string, DisplayList>();

  draw(list: DisplayList): void {
    if (!list.area) {
      this.#whole = list;
      this.#patches = new Map();
    } else if (this.#whole) this.#patches.set(areaKey(list.area), list);
  }

  /** The screen as one list (composed when asked: the minute refresh stays cheap). */
  get current(): DisplayList | undefined {
    const whole = this.#whole;
    if (!whole || this.#patches.size === 0) return whole;
    const ops: DisplayOp[] = [...whole.ops];
    this.#patches.forEach((patch) => {
      const a = patch.area!;
      ops.push({ op: 'rect', x: a.x, y: a.y, w: a.w, h: a.h, color: patch.background }, ...patch.ops);
    });
    return { width: whole.width, height: whole.height, background: whole.background, ops };
  }
}
