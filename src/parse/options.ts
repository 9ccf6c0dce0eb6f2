// Parser options: rsyslog's global parser.* settings and pmrfc3164's parameters, decided once at config load.
import type { PreParser } from './pm';

/** How received frames are cleaned and parsed. Defaults are rsyslog's (8.2302) defaults. */
export interface ParseOptions {
  /** parser.dropTrailingLFOnReception: drop one LF at the very end of the frame. */
  dropTrailingLF: boolean;
  /** parser.escapeControlCharactersOnReceive: control chars become `#ooo` (3 octal digits). */
  escapeControlCharacters: boolean;
  /** parser.escapeControlCharacterTab: TAB is escaped too ("#011"). */
  escapeTab: boolean;
  /** parser.controlCharacterEscapePrefix (one byte, default '#'). */
  controlCharacterEscapePrefix: string;
  /** parser.escape8BitCharactersOnReceive. */
  escape8BitCharacters: boolean;
  /** parser.escapeControlCharactersCStyle: `\n`, `\t`, `\xHH` instead of `#ooo`. */
  escapeControlCharactersCStyle: boolean;
  /** parser.spaceLFOnReceive: LF inside the frame becomes SP. */
  spaceLFOnReceive: boolean;
  /** parser.permitSlashInProgramname. */
  permitSlashInProgramname: boolean;
  /** Global maxMessageSize: the sanitizer never grows a frame beyond it (as rsyslog). */
  maxMessageSize: number;
  /** Whether the input asks for a HOSTNAME in RFC 3164 frames (network inputs yes, imuxsock no). */
  parseHostname: boolean;
  /** pmrfc3164 options (all off by default, as rsyslog). */
  permitSquareBracketsInHostname: boolean;
  permitSlashesInHostname: boolean;
  permitAtSignsInHostname: boolean;
  forceTagEndingByColon: boolean;
  removeMsgFirstSpace: boolean;
  detectYearAfterTimestamp: boolean;
  /**
   * Logwarden improvement over rsyslog 8.2302 (which always takes the receiver's current year for a BSD
   * timestamp): a timestamp more than a month in the future belongs to the previous year, one more than
   * eleven months in the past to the next year (December/January rollover).
   */
  yearRollover: boolean;
  /** Try RFC 5424 before RFC 3164 (rsyslog's default chain); false for `ruleset(parser=["rsyslog.rfc3164"])`. */
  rfc5424: boolean;
  /**
   * Parsers of the ruleset's chain that run first (pmlastmsg, pmsnare, …; src/parse/pm.ts); usually absent. The
   * disk queue's frame form does not store them: messages parsed with them keep parsedWith null.
   */
  preParsers?: readonly PreParser[];
}

export const DEFAULT_PARSE_OPTIONS: Readonly<ParseOptions> = Object.freeze({
  dropTrailingLF: true,
  escapeControlCharacters: true,
  escapeTab: true,
  controlCharacterEscapePrefix: '#',
  escape8BitCharacters: false,
  escapeControlCharactersCStyle: false,
  spaceLFOnReceive: false,
  permitSlashInProgramname: false,
  maxMessageSize: 8192,
  parseHostname: true,
  permitSquareBracketsInHostname: false,
  permitSlashesInHostname: false,
  permitAtSignsInHostname: false,
  forceTagEndingByColon: false,
  removeMsgFirstSpace: false,
  detectYearAfterTimestamp: false,
  yearRollover: true,
  rfc5424: true,
});

/** Defaults overridden by `overrides`. */
export function parseOptions(overrides: Partial<ParseOptions> = {}): ParseOptions {
  return { ...DEFAULT_PARSE_OPTIONS, ...overrides };
}

type GlobalValue = string | number | boolean | string[];

function asBool(v: GlobalValue | undefined, def: boolean): boolean {
  if (v === undefined) return def;
  if (typeof v === 'boolean') return v;
  const s = String(v).toLowerCase();
  return s === 'on' || s === 'yes' || s === 'true' || s === '1';
}

/**
 * ParseOptions from rsyslog global settings (`global(parser.escapeControlCharactersOnReceive="off")` and the
 * legacy `$EscapeControlCharactersOnReceive off`), keyed by lower-case name as in ConfigModel.globals.
 */
export function parseOptionsFromGlobals(get: (name: string) => GlobalValue | undefined, maxMessageSize: number): ParseOptions {
  const d = DEFAULT_PARSE_OPTIONS;
  const pick = (a: string, b: string): GlobalValue | undefined => get(a) ?? get(b);
  const prefix = pick('parser.controlcharacterescapeprefix', 'controlcharacterescapeprefix');
  return parseOptions({
    maxMessageSize,
    dropTrailingLF: asBool(pick('parser.droptrailinglfonreception', 'droptrailinglfonreception'), d.dropTrailingLF),
    escapeControlCharacters: asBool(pick('parser.escapecontrolcharactersonreceive', 'escapecontrolcharactersonreceive'), d.escapeControlCharacters),
    escapeTab: asBool(pick('parser.escapecontrolcharactertab', 'escapecontrolcharactertab'), d.escapeTab),
    escape8BitCharacters: asBool(pick('parser.escape8bitcharactersonreceive', 'escape8bitcharactersonreceive'), d.escape8BitCharacters),
    escapeControlCharactersCStyle: asBool(get('parser.escapecontrolcharacterscstyle'), d.escapeControlCharactersCStyle),
    spaceLFOnReceive: asBool(pick('parser.spacelfonreceive', 'spacelfonreceive'), d.spaceLFOnReceive),
    permitSlashInProgramname: asBool(get('parser.permitslashinprogramname'), d.permitSlashInProgramname),
    controlCharacterEscapePrefix: prefix === undefined ? d.controlCharacterEscapePrefix : String(prefix).charAt(0) || '#',
  });
}

/**
 * The options of one `parser(type="pmrfc3164" …)` (rsyslog 8.2302 tools/pmrfc3164.c): `get` reads a parameter
 * by lower-case name. Resolved once per input, so the per-message path only reads booleans.
 */
export function pmrfc3164Options(get: (name: string) => GlobalValue | undefined): Partial<ParseOptions> {
  return {
    detectYearAfterTimestamp: asBool(get('detect.yearaftertimestamp'), false),
    permitSquareBracketsInHostname: asBool(get('permit.squarebracketsinhostname'), false),
    permitSlashesInHostname: asBool(get('permit.slashesinhostname'), false),
    permitAtSignsInHostname: asBool(get('permit.atsignsinhostname'), false),
    forceTagEndingByColon: asBool(get('force.tagendingbycolon'), false),
    removeMsgFirstSpace: asBool(get('remove.msgfirstspace'), false),
  };
}
