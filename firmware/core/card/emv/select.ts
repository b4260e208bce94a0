/**
 * Application selection (EMV 4.4 Book 1 §12): the directory (PPSE '2PAY.SYS.DDF01' on a
 * contactless card, PSE '1PAY.SYS.DDF01' and its records on a contact card), or the list of
 * candidates found by selecting each of the terminal's AIDs (§12.3.3, partial matches with SELECT
 * next); the mutually supported applications ordered by priority (87 low nibble, 0 last), the
 * cardholder's choice on a contact card when several (or when 87 b8 asks for confirmation);
 * final SELECT, where a blocked application (6283) or a refused one is dropped and the next tried.
 */
import { CardError } from '../errors';
import type { CardProfile } from '../../config/cardProfile';
import { toHex } from '../../bytes';
import { readRecordApdu, responseData, selectApdu, sw, swHex, SW_BLOCKED_APP, SW_CONDITIONS, SW_FUNCTION_NOT_SUPPORTED, SW_OK, SW_RECORD_NOT_FOUND, type ApduChannel } from './apdu';
import { findTag, parseTlv, type Tlv } from './tlv';

/** Applications one card may list (directory entries, candidates). */
export const MAX_APPLICATIONS = 16;
/** PSE directory records read (SFI 1–10, one record per few applications). */
export const MAX_PSE_RECORDS = 16;
/** SELECT next rounds for one terminal AID (a card with many applications under one RID prefix). */
export const MAX_SELECT_NEXT = 8;

const PPSE = '2PAY.SYS.DDF01';
const PSE = '1PAY.SYS.DDF01';

export interface DirectoryEntry {
  aid: string;
  label?: string;
  /** 87, when present. */
  priority?: number;
}

export interface Candidate {
  /** The card's AID (DF name), upper-case hex. */
  aid: string;
  label: string;
  /** 87 low nibble (1 highest); undefined when absent or 0. */
  priority?: number;
  /** 87 b8: the cardholder must confirm this application. */
  confirm: boolean;
  /** Index in profile.aids of the terminal AID it matched. */
  profileIndex: number;
}

export interface SelectedApplication extends Candidate {
  /** The FCI's parsed objects (6F …). */
  fci: Tlv[];
}

export type ChooseApplication = (candidates: { aid: string; label: string; priority?: number }[]) => Promise<number | undefined>;

function ascii(bytes: Uint8Array | undefined): string | undefined {
  if (!bytes) return undefined;
  let s = '';
  for (let i = 0; i < bytes.length && i < 32; i++) {
    const c = bytes[i];
    s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '?';
  }
  return s.trim();
}

const upper = (b: Uint8Array): string => toHex(b).toUpperCase();

function asciiBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function hexBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(2 * i, 2), 16);
  return out;
}

/** Entries of the 61 templates among `nodes` (any depth). */
export function directoryEntries(nodes: readonly Tlv[], into: DirectoryEntry[] = []): DirectoryEntry[] {
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i];
    if (n.tag === 0x61 && n.children) {
      const aid = findTag(n.children, 0x4f);
      if (aid && aid.value.length >= 5 && aid.value.length <= 16 && into.length < MAX_APPLICATIONS) {
        const p = findTag(n.children, 0x87);
        into.push({ aid: upper(aid.value), label: ascii(findTag(n.children, 0x50)?.value) ?? ascii(findTag(n.children, 0x9f12)?.value), priority: p && p.value.length === 1 ? p.value[0] : undefined });
      }
    } else if (n.children) directoryEntries(n.children, into);
  }
  return into;
}

function matchProfile(aid: string, profile: CardProfile): number {
  for (let i = 0; i < profile.aids.length; i++) {
    const t = profile.aids[i];
    if (aid === t.aid || (t.partialMatch && aid.length > t.aid.length && aid.startsWith(t.aid))) return i;
  }
  return -1;
}

function candidateOf(aid: string, label: string | undefined, priority: number | undefined, profileIndex: number, profile: CardProfile): Candidate {
  const p = priority === undefined ? 0 : priority & 0x0f;
  return { aid, label: label || profile.aids[profileIndex].label, priority: p === 0 ? undefined : p, confirm: priority !== undefined && (priority & 0x80) !== 0, profileIndex };
}

/** Priority order (1 first, none last), stable. */
export function orderCandidates(list: Candidate[]): Candidate[] {
  const keyed = list.map((c, i) => ({ c, k: (c.priority ?? 16) * 64 + i }));
  keyed.sort((a, b) => a.k - b.k);
  return keyed.map((x) => x.c);
}

/** The applications one card and this terminal both support, and how to pick and select them. */
export class ApplicationSelection {
  candidates: Candidate[] = [];
  /** Whether a directory (PPSE/PSE) listed the applications. */
  directory: 'PPSE' | 'PSE' | 'candidate-list' = 'candidate-list';
  /** The application the card has selected now, with its FCI (saves a final SELECT). */
  private current: SelectedApplication | undefined;
  /** Applications refused at final SELECT or GPO (6283, 6985…). */
  private refused = 0;

  constructor(
    private readonly channel: ApduChannel,
    private readonly profile: CardProfile,
    private readonly contactless: boolean,
    private readonly choose?: ChooseApplication,
  ) {}

  /** Builds the candidate list. @throws CardError 'card-blocked' (6A81 on the directory SELECT), 'no-application' */
  async build(): Promise<Candidate[]> {
    const entries = await this.readDirectory();
    const found: Candidate[] = [];
    if (entries) {
      for (let i = 0; i < entries.length; i++) {
        const e = entries[i];
        const pi = matchProfile(e.aid, this.profile);
        if (pi >= 0 && !found.some((c) => c.aid === e.aid)) found.push(candidateOf(e.aid, e.label, e.priority, pi, this.profile));
      }
    }
    if (found.length === 0) await this.searchCandidateList(found);
    if (found.length === 0) throw new CardError('no-application', 'the card offers no application this terminal accepts');
    this.candidates = orderCandidates(found);
    return this.candidates;
  }

  private async readDirectory(): Promise<DirectoryEntry[] | undefined> {
    const name = this.contactless ? PPSE : PSE;
    const r = await this.channel.transmit(selectApdu(asciiBytes(name)));
    const word = sw(r);
    if (word === SW_FUNCTION_NOT_SUPPORTED) throw new CardError('card-blocked', `SELECT ${name} answered 6A81: card blocked or command not supported`);
    if (word !== SW_OK) return undefined;
    const fci = parseTlv(responseData(r));
    this.directory = this.contactless ? 'PPSE' : 'PSE';
    if (this.contactless) return directoryEntries(fci);
    const sfiTag = findTag(fci, 0x88);
    if (!sfiTag || sfiTag.value.length !== 1 || sfiTag.value[0] < 1 || sfiTag.value[0] > 10) return undefined;
    const entries: DirectoryEntry[] = [];
    for (let rec = 1; rec <= MAX_PSE_RECORDS; rec++) {
      const rr = await this.channel.transmit(readRecordApdu(sfiTag.value[0], rec));
      const w = sw(rr);
      if (w === SW_RECORD_NOT_FOUND) break;
      if (w !== SW_OK) throw new CardError('card-status', `READ RECORD of the PSE directory (record ${rec}) answered ${swHex(w)}`);
      directoryEntries(parseTlv(responseData(rr)), entries);
    }
    return entries;
  }

  /** EMV Book 1 §12.3.3: SELECT each terminal AID, SELECT next while the card answers a longer DF name. */
  private async searchCandidateList(found: Candidate[]): Promise<void> {
    this.directory = 'candidate-list';
    for (let i = 0; i < this.profile.aids.length; i++) {
      const t = this.profile.aids[i];
      const name = hexBytes(t.aid);
      for (let round = 0; round <= MAX_SELECT_NEXT && found.length < MAX_APPLICATIONS; round++) {
        const r = await this.channel.transmit(selectApdu(name, round > 0));
        const word = sw(r);
        this.current = undefined;
        if (word === SW_BLOCKED_APP) {
          if (t.partialMatch) continue; // blocked: not a candidate, but others may follow under this prefix
          break;
        }
        if (word !== SW_OK) break;
        const fci = parseTlv(responseData(r));
        const df = findTag(fci, 0x84);
        if (!df) break;
        const aid = upper(df.value);
        const exact = aid === t.aid;
        if (exact || (t.partialMatch && aid.startsWith(t.aid))) {
          if (!found.some((c) => c.aid === aid)) {
            const p = findTag(fci, 0x87);
            const c = candidateOf(aid, ascii(findTag(fci, 0x50)?.value), p && p.value.length === 1 ? p.value[0] : undefined, i, this.profile);
            found.push(c);
            this.current = { ...c, fci };
          }
        }
        if (exact || !aid.startsWith(t.aid)) break;
      }
    }
  }

  /** Selection is over (GPO accepted): the candidates and the selected FCI are let go, the read keeps its own objects. */
  release(): void {
    this.candidates = [];
    this.current = undefined;
  }

  /** Drops an application the card refused (GPO 6985): the next `select()` picks another. */
  remove(aid: string): void {
    this.candidates = this.candidates.filter((c) => c.aid !== aid);
    if (this.current && this.current.aid === aid) this.current = undefined;
    this.refused++;
  }

  /**
   * Picks the application (the first by priority; on a contact card the cardholder chooses when
   * several or when confirmation is asked) and selects it.
   * @throws CardError 'no-application', 'card-blocked' (every candidate refused), 'cardholder-cancelled'
   */
  async select(): Promise<SelectedApplication> {
    for (let guard = 0; guard <= MAX_APPLICATIONS; guard++) {
      if (this.candidates.length === 0) {
        if (this.refused > 0) throw new CardError('card-blocked', `every application the card offers was refused (${this.refused})`);
        throw new CardError('no-application', 'no application left to select');
      }
      const pick = await this.pick();
      if (this.current && this.current.aid === pick.aid) return this.current;
      const r = await this.channel.transmit(selectApdu(hexBytes(pick.aid)));
      const word = sw(r);
      if (word === SW_OK) {
        const fci = parseTlv(responseData(r));
        this.current = { ...pick, fci };
        return this.current;
      }
      if (word !== SW_BLOCKED_APP && word !== SW_CONDITIONS && word >> 8 !== 0x6a && word >> 8 !== 0x69) throw new CardError('card-status', `SELECT ${pick.aid} answered ${swHex(word)}`);
      this.remove(pick.aid);
    }
    throw new CardError('no-application', 'application selection did not settle');
  }

  private async pick(): Promise<Candidate> {
    const list = this.candidates;
    if (this.contactless) return list[0]; // Entry Point: the highest priority, no cardholder choice on a tap
    if (list.length === 1 && !list[0].confirm) return list[0];
    if (this.choose) {
      const i = await this.choose(list.map((c) => ({ aid: c.aid, label: c.label, priority: c.priority })));
      if (i === undefined || !(i >= 0 && i < list.length)) throw new CardError('cardholder-cancelled', 'the cardholder cancelled the choice of application');
      return list[i];
    }
    const unconfirmed = list.filter((c) => !c.confirm);
    if (unconfirmed.length === 0) throw new CardError('no-application', 'every application needs the cardholder to confirm it and no choice is offered');
    return unconfirmed[0];
  }
}
