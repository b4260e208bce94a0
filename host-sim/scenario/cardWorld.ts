/**
 * The card inputs of a simulated board, from the scenario's `device.reader`: a PN532 on its HSU
 * or I2C link (the core's Pn532Reader over a VirtualLink to a VirtualPN532), a contact slot, a
 * magstripe module, a code scanner; anything the scenario does not fit is unfitted, as on a
 * board without it. Engine-neutral: the Node world and the XS lane build the same parts (on XS
 * they run inside XS, like the keypad), and the driver puts cards in the field and the slot,
 * swipes and scans through the slots returned.
 */
import { Pn532Reader } from '../../firmware/core/card/pn532/pn532Reader';
import type { ClockPort, Ports } from '../../firmware/core/ports';
import { VirtualContactReader } from '../cards/contactReader';
import { SimMagstripe, SimScanner } from '../cards/inputs';
import type { VirtualCard } from '../cards/virtualCard';
import { VirtualLink } from '../cards/virtualLink';
import { VirtualPn532, type Pn532Fault } from '../cards/virtualPn532';
import { unfittedCardInputs } from '../ports/simDevices';

export const PN532_FAULTS: readonly Pn532Fault[] = ['no-answer', 'nack-storm', 'checksum', 'antenna', 'remove-mid-exchange'];

/** What the scenario fits (`device.reader`); absent: no card input at all. */
export interface ReaderSpec {
  pn532?: { link: 'hsu' | 'i2c'; faults: Pn532Fault[] };
  contact: boolean;
  magstripe: boolean;
  scanner: boolean;
}

/** What the driver does to the board's card inputs. */
export interface CardSlots {
  /** A card in the reader's field (undefined: taken away). */
  tap(card: VirtualCard | undefined): void;
  /** A card in the contact slot (undefined: taken out). */
  insert(card: VirtualCard | undefined): void;
  swipe(ascii: string): void;
  /** A code read by the scanner (ASCII text). */
  scan(text: string): void;
  /** Reader faults from now on (a scenario step). */
  faults(faults: Pn532Fault[]): void;
}

type CardPorts = Pick<Ports, 'reader' | 'contact' | 'magstripe' | 'scanner'>;

/** The board's card ports and the slots the driver uses (undefined when nothing is fitted). */
export function cardInputs(spec: ReaderSpec | undefined, clock: ClockPort): { ports: CardPorts; slots: CardSlots | undefined } {
  const unfitted = unfittedCardInputs();
  if (!spec) return { ports: unfitted, slots: undefined };
  const chip = spec.pn532 ? new VirtualPn532({ faults: spec.pn532.faults }) : undefined;
  const contact = spec.contact ? new VirtualContactReader() : undefined;
  const magstripe = spec.magstripe ? new SimMagstripe() : undefined;
  const scanner = spec.scanner ? new SimScanner() : undefined;
  const ports: CardPorts = {
    reader: chip ? new Pn532Reader(new VirtualLink(chip, clock, spec.pn532!.link), clock) : unfitted.reader,
    contact: contact ?? unfitted.contact,
    magstripe: magstripe ?? unfitted.magstripe,
    scanner: scanner ?? unfitted.scanner,
  };
  return { ports, slots: new BoardSlots(chip, contact, magstripe, scanner) };
}

/** ASCII text as the scanner's bytes (payment codes are digits; anything else byte by byte, low 8 bits). */
function asciiBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i) & 0xff;
  return out;
}

class BoardSlots implements CardSlots {
  readonly #chip: VirtualPn532 | undefined;
  readonly #contact: VirtualContactReader | undefined;
  readonly #magstripe: SimMagstripe | undefined;
  readonly #scanner: SimScanner | undefined;

  constructor(chip: VirtualPn532 | undefined, contact: VirtualContactReader | undefined, magstripe: SimMagstripe | undefined, scanner: SimScanner | undefined) {
    this.#chip = chip;
    this.#contact = contact;
    this.#magstripe = magstripe;
    this.#scanner = scanner;
  }

  tap(card: VirtualCard | undefined): void {
    if (card && !this.#chip) throw new Error('no contactless reader fitted (device.reader.pn532)');
    card?.reset();
    this.#chip?.place(card);
  }

  insert(card: VirtualCard | undefined): void {
    if (card && !this.#contact) throw new Error('no contact slot fitted (device.reader.contact)');
    card?.reset();
    this.#contact?.insert(card);
  }

  swipe(ascii: string): void {
    if (!this.#magstripe) throw new Error('no magstripe module fitted (device.reader.magstripe)');
    this.#magstripe.swipe(ascii);
  }

  scan(text: string): void {
    if (!this.#scanner) throw new Error('no code scanner fitted (device.reader.scanner)');
    this.#scanner.scan(asciiBytes(text));
  }

  faults(faults: Pn532Fault[]): void {
    if (!this.#chip) throw new Error('no contactless reader fitted (device.reader.pn532)');
    this.#chip.setFaults(faults);
  }
}
