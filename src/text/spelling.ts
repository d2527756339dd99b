/**
 * British and American spellings of one word, folded to one search term:
 * "colour" finds "color", "organise" finds "organize", "cheque" finds "check".
 * An asker spells the way they learnt to, whatever the documents chose.
 *
 * The fold runs on every word of passages and questions alike (see
 * tokenize.ts), so it only has to be consistent, not a dictionary: a word that
 * merely looks British ("promise" → "promize") maps the same way on both sides
 * and matches as before. What it must avoid is folding a word onto a different
 * word; each rule says how it does that. Porter's stemmer already merges
 * "travelled" and "traveled", so doubled consonants need no rule.
 */

/** Whole words whose spellings no rule reaches, British → American. */
const WORDS = new Map(
  (
    'cheque:check cheques:checks programme:program programmes:programs tyre:tire tyres:tires grey:gray ' +
    'aluminium:aluminum plough:plow mould:mold mouldy:moldy draught:draft draughts:drafts pyjamas:pajamas ' +
    'sceptic:skeptic sceptical:skeptical scepticism:skepticism manoeuvre:maneuver manoeuvres:maneuvers ' +
    'ageing:aging judgement:judgment judgements:judgments acknowledgement:acknowledgment ' +
    'enquiry:inquiry enquiries:inquiries enquire:inquire cosy:cozy maths:math whilst:while amongst:among ' +
    'defence:defense licence:license licences:licenses offence:offense offences:offenses pretence:pretense ' +
    'learnt:learned spelt:spelled burnt:burned dreamt:dreamed spoilt:spoiled kerb:curb storey:story storeys:stories odour:odor odours:odors'
  )
    .split(' ')
    .map((pair) => pair.split(':') as [string, string]),
);

/** Greek-derived "ae"/"oe" where American writes "e" (anaemia, foetus): by word start, as the pairs are few and known. */
const DIGRAPH_STARTS: ReadonlyArray<[string, string]> = [
  ['anaesth', 'anesth'],
  ['anaem', 'anem'],
  ['haem', 'hem'],
  ['leukaem', 'leukem'],
  ['oestr', 'estr'],
  ['oesoph', 'esoph'],
  ['foet', 'fet'],
  ['paed', 'ped'],
  ['orthopaed', 'orthoped'],
  ['encyclopaed', 'encycloped'],
  ['diarrhoe', 'diarrhe'],
  ['faec', 'fec'],
  ['gynaec', 'gynec'],
  ['coeliac', 'celiac'],
];

/**
 * "-our" → "-or" (colour, favourite, behavioural). At least three letters
 * must come first, so "hour", "four", "your" and "tour" are never touched.
 */
const OUR = /^([a-z]{3,})our(s|ed|ing|ful|fully|ite|ites|able|ably|er|ers|less|al|ally|ism|y)?$/;
/** Words that end in "our" in American English too. */
const OUR_KEPT = new Set(['devour', 'contour', 'detour', 'paramour', 'troubadour', 'velour', 'succour']);

/**
 * "-ise" → "-ize" (organise, realisation, prioritising), but only after the
 * endings that make verbs of nouns and adjectives (-al-, -it-, -im-, -gn-…).
 * Elsewhere "-ise" belongs to the root, and a related word without it would
 * stop matching: "appraise" must keep finding "appraisal", "precise"
 * "precisely", "improvise" "improvisation".
 */
const ISE = /^([a-z]+(?:al|ar|im|it|il|gn|or|er|ur|ic|an|rn|id|at|th|ol|on|og|om|as|es))is(e|es|ed|ing|er|ers|ation|ations|able)$/;
/** "-yse" → "-yze" (analyse, paralysed). */
const YSE = /^([a-z]{2,})ys(e|es|ed|ing|er|ers)$/;
/** "-tre"/"-bre" → "-ter"/"-ber" (centre, fibre, litres, centred). "-cre" (acre, massacre) is the same in both. */
const TRE = /^([a-z]{2,})([tb])r(e|es|ed)$/;
/** Words in "-tre"/"-bre" that another word's "-ter"/"-ber" would collide with. */
const TRE_KEPT = new Set(['timbre', 'entre', 'macabre']);
/** "-ogue" → "-og" (catalogue, dialogues); three letters first, so "vogue" and "rogue" stay. */
const OGUE = /^([a-z]{3,})ogue(s|d)?$/;

/**
 * The one spelling of a lower-case word that both British and American forms
 * fold to (the American one); any other word comes back as it is.
 *
 * @example
 * foldSpelling('colours');      // 'colors'
 * foldSpelling('organisation'); // 'organization'
 * foldSpelling('centre');       // 'center'
 * foldSpelling('hour');         // 'hour'
 */
export function foldSpelling(word: string): string {
  const listed = WORDS.get(word);
  if (listed !== undefined) return listed;
  for (const [british, american] of DIGRAPH_STARTS) if (word.startsWith(british)) return american + word.slice(british.length);
  return foldSuffix(word);
}

function foldSuffix(word: string): string {
  const our = OUR.exec(word);
  if (our) return OUR_KEPT.has(`${our[1]}our`) ? word : `${our[1]}or${our[2] ?? ''}`;
  const tre = TRE.exec(word);
  if (tre) return TRE_KEPT.has(`${tre[1]}${tre[2]}re`) ? word : `${tre[1]}${tre[2]}er${tre[3] === 'e' ? '' : tre[3] === 'es' ? 's' : 'ed'}`;
  return word
    .replace(ISE, (_, head: string, tail: string) => `${head}iz${tail}`)
    .replace(YSE, (_, head: string, tail: string) => `${head}yz${tail}`)
    .replace(OGUE, (_, head: string, tail: string | undefined) => `${head}og${tail === 'd' ? 'ed' : (tail ?? '')}`);
}
