// Time zones as fail2ban understands them: fixed offsets only, written as an optional upper-case
// abbreviation from a fixed table plus an optional ±hh[[:]mm]. A zone is minutes east of UTC, or
// 'local' for the process zone (TZ). Named zones with DST rules (Europe/Paris) are not accepted.

/** Minutes east of UTC, or the process's own zone. */
export type Zone = number | 'local';

// Offsets in hours for the abbreviations fail2ban accepts; names outside this table are errors,
// and so are lower-case spellings, as in fail2ban. Ambiguous names keep fail2ban's choice (CST = -6).
const HOURS: Readonly<Record<string, number>> = {
  ...group(-12, 'Y'),
  ...group(-11, 'X NUT SST'),
  ...group(-10, 'W CKT HAST HST TAHT TKT'),
  ...group(-9.5, 'MART MIT'),
  ...group(-9, 'V AKST GAMT GIT HADT HNY'),
  ...group(-8, 'U AKDT CIST HAY HNP PST PT'),
  ...group(-7, 'T HAP HNR MST PDT'),
  ...group(-6, 'S CST EAST GALT HAR HNC MDT'),
  ...group(-5, 'R CDT COT EASST ECT EST ET HAC HNE PET'),
  ...group(-4.5, 'HLV VET'),
  ...group(-4, 'Q AST BOT CLT COST EDT FKT GYT HAE HNA PYT'),
  ...group(-3.5, 'HNT NST NT'),
  ...group(-3, 'P ADT ART BRT CLST FKST GFT HAA PMST PYST SRT UYT WGT'),
  ...group(-2.5, 'HAT NDT'),
  ...group(-2, 'O BRST FNT PMDT UYST WGST'),
  ...group(-1, 'N AZOT CVT EGT'),
  ...group(0, 'Z EGST GMT UTC WET WT'),
  ...group(1, 'A CET DFT WAT WEDT WEST'),
  ...group(2, 'B CAT CEDT CEST EET SAST WAST'),
  ...group(3, 'C EAT EEDT EEST IDT MSK'),
  ...group(3.5, 'IRST'),
  ...group(4, 'D AMT AZT GET GST KUYT MSD MUT RET SAMT SCT'),
  ...group(4.5, 'AFT IRDT'),
  ...group(5, 'E AMST AQTT AZST HMT MAWT MVT PKT TFT TJT TMT UZT YEKT'),
  ...group(5.5, 'SLT'),
  ...group(5.75, 'NPT'),
  ...group(6, 'F ALMT BIOT BTT IOT KGT NOVT OMST YEKST'),
  ...group(6.5, 'CCT MMT'),
  ...group(7, 'G CXT DAVT HOVT ICT KRAT NOVST OMSST THA WIB'),
  ...group(8, 'H ACT AWST BDT BNT CAST HKT IRKT KRAST MYT PHT SGT ULAT WITA WST'),
  ...group(9, 'I AWDT IRKST JST KST PWT TLT WDT WIT YAKT'),
  ...group(9.5, 'ACST'),
  ...group(10, 'K AEST PGT VLAT YAKST YAPT'),
  ...group(10.5, 'ACDT LHST'),
  ...group(11, 'L AEDT LHDT MAGT NCT PONT SBT VLAST VUT'),
  ...group(11.5, 'NFT'),
  ...group(12, 'M ANAST ANAT FJT GILT MAGST MHT NZST PETST PETT TVT WFT'),
  ...group(13, 'FJST NZDT'),
};

function group(hours: number, names: string): Record<string, number> {
  return Object.fromEntries(names.split(' ').map((n) => [n, hours]));
}

const isUpper = (c: number) => c >= 65 && c <= 90;
const isDigit = (c: number) => c >= 48 && c <= 57;

/**
 * Offset in minutes of a zone written `ABBR`, `ABBR±hh[[:]mm]` or `±hh[[:]mm]`, or undefined when the
 * text is not such a zone or names an abbreviation outside the table. The hour's first digit is 0 or 1.
 */
export function zoneOffset(text: string): number | undefined {
  let i = 0;
  while (i < text.length && isUpper(text.charCodeAt(i))) i++;
  const abbr = text.slice(0, i);
  if (abbr.length === 2 || abbr.length > 5) return undefined;
  let minutes = 0;
  if (abbr !== '') {
    const hours = HOURS[abbr];
    if (hours === undefined) return undefined;
    minutes = hours * 60;
  }
  const rest = text.slice(i);
  if (rest === '') return minutes;
  const sign = rest[0] === '-' ? -1 : rest[0] === '+' ? 1 : 0;
  const digits = rest.slice(1).replace(':', '');
  // ±hh, ±hhmm or ±hh:mm; a colon anywhere else, or a third hour digit, is not an offset.
  const colonOk = rest.length === 3 || rest.length === 5 || (rest.length === 6 && rest[3] === ':');
  if (sign === 0 || !colonOk || (digits.length !== 2 && digits.length !== 4)) return undefined;
  for (let k = 0; k < digits.length; k++) if (!isDigit(digits.charCodeAt(k))) return undefined;
  if (digits[0] !== '0' && digits[0] !== '1') return undefined;
  const hh = Number(digits.slice(0, 2));
  const mm = digits.length === 4 ? Number(digits.slice(2)) : 0;
  return minutes + sign * (hh * 60 + mm);
}

/**
 * Parses a `logtimezone` value: `UTC`, `GMT`, `Z`, `UTC+0200`, `GMT-0100`, `-03:00`, `+05`, a table
 * abbreviation such as `CET`, or `local` (the process zone, also used when the value is empty).
 */
export function parseTimezone(text: string): Zone | { error: string } {
  const t = text.trim();
  if (t === '' || t.toLowerCase() === 'local') return 'local';
  const off = zoneOffset(t);
  if (off === undefined) {
    return { error: `expected local, UTC, UTC±hhmm, ±hh:mm or a fixed-offset abbreviation, got "${text}"` };
  }
  return off;
}
