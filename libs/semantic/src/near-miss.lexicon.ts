/**
 * Word classes behind the verifier's vetoes: a pair that differs in one of them asks a different question
 * however close the rest is ("aspirin before surgery" / "after surgery", "5 km" / "5 miles", "on Monday" /
 * "on Tuesday"). Antonyms of open-class words come from WordNet; these are the closed classes it lacks or
 * that matter beyond English.
 */

/**
 * Direction and order words, as groups of mutually exclusive sides (each side a few words that mean the
 * same). A pair is vetoed when one text uses a side the other lacks and the other uses a different side of
 * the same group; dropping a word alone is tolerated ("flights before noon" / "morning flights").
 */
export const DIRECTION_GROUPS: readonly (readonly (readonly string[])[])[] = [
  [
    ['before', 'prior', 'pre'],
    ['after', 'post'],
  ],
  [
    ['above', 'over'],
    ['below', 'beneath', 'underneath', 'under'],
  ],
  [
    ['into', 'onto', 'in'],
    ['out', 'off'],
  ],
  [['up'], ['down']],
  [['inside', 'within'], ['outside']],
  [['toward', 'towards'], ['away']],
  [['buy', 'purchase'], ['sell']],
  [['import'], ['export']],
  [['upload'], ['download']],
  [['push'], ['pull']],
  [['send'], ['receive', 'get']],
  [
    ['encrypt', 'encryption'],
    ['decrypt', 'decryption'],
  ],
  [
    ['encode', 'encoding'],
    ['decode', 'decoding'],
  ],
  [
    ['serialize', 'serialise', 'serialization', 'serialisation'],
    ['deserialize', 'deserialise', 'deserialization'],
  ],
  [
    ['compress', 'compression', 'zip'],
    ['decompress', 'decompression', 'unzip', 'extract'],
  ],
  [
    ['enable', 'activate'],
    ['disable', 'deactivate'],
  ],
  [
    ['ascend', 'ascending', 'asc'],
    ['descend', 'descending', 'desc'],
  ],
  [
    ['increase', 'raise', 'rise', 'grow', 'higher', 'more', 'gain'],
    ['decrease', 'reduce', 'lower', 'drop', 'fall', 'shrink', 'less', 'fewer', 'lose', 'loss'],
  ],
  [
    ['most', 'maximum', 'max', 'largest', 'biggest', 'highest'],
    ['least', 'minimum', 'min', 'smallest', 'lowest'],
  ],
  [
    ['first', 'earliest'],
    ['last', 'final', 'latest'],
  ],
  [
    ['next', 'following', 'upcoming'],
    ['previous', 'prior', 'preceding'],
  ],
  [['left'], ['right']],
  [
    ['north', 'northern'],
    ['south', 'southern'],
  ],
  [
    ['east', 'eastern'],
    ['west', 'western'],
  ],
  [['inner'], ['outer']],
  [['input'], ['output']],
  [
    ['incoming', 'inbound'],
    ['outgoing', 'outbound'],
  ],
  [['lend'], ['borrow']],
  [['give'], ['take']],
  [['teach'], ['learn']],
  [
    ['start', 'begin', 'launch'],
    ['stop', 'end', 'finish', 'quit'],
  ],
  [['open'], ['close', 'shut']],
  [['win'], ['lose']],
  [
    ['add', 'insert', 'append'],
    ['remove', 'delete', 'drop'],
  ],
  [['install'], ['uninstall']],
  [['on'], ['off']],
  [
    ['early', 'earlier'],
    ['late', 'later'],
  ],
  [
    ['old', 'older', 'oldest'],
    ['new', 'newer', 'newest'],
  ],
  [
    ['long', 'longer'],
    ['short', 'shorter'],
  ],
  [['cheap', 'cheaper', 'cheapest'], ['expensive']],
  [
    ['fast', 'faster', 'fastest', 'quick'],
    ['slow', 'slower', 'slowest'],
  ],
  [['true'], ['false']],
  [['positive'], ['negative']],
  [['min'], ['max']],
  [
    ['import', 'importing'],
    ['export', 'exporting'],
  ],
  [
    ['plus', 'add', 'sum'],
    ['minus', 'subtract', 'difference'],
  ],
  [['multiply', 'times'], ['divide']],
  [['avant'], ['après']],
  [
    ['vor', 'bevor'],
    ['nach', 'nachdem'],
  ],
  [['antes'], ['después']],
];

/** Prepositions that mark a direction: a word moved from one to another changes the meaning. */
export const DIRECTIONAL_PREPOSITIONS: ReadonlySet<string> = new Set([
  'from',
  'to',
  'into',
  'onto',
  'out',
  'toward',
  'towards',
  'before',
  'after',
  'above',
  'below',
  'over',
  'under',
  'than',
  'versus',
  'vs',
]);

/** Roles that point opposite ways: a word that moves from one to the other changes the meaning. */
export const OPPOSITE_ROLES: ReadonlySet<string> = new Set(
  [
    ['from', 'to'],
    ['from', 'into'],
    ['from', 'onto'],
    ['from', 'toward'],
    ['from', 'towards'],
    ['into', 'out'],
    ['before', 'after'],
    ['above', 'below'],
    ['over', 'under'],
  ].flatMap(([x, y]) => [`${x}/${y}`, `${y}/${x}`]),
);

/** Calendar words: two texts must name the same ones. ("may" is a modal far more often than a month.) */
export const DATE_WORDS: ReadonlyMap<string, string> = new Map([
  ...(
    [
      ['monday', 'mon'],
      ['tuesday', 'tue'],
      ['wednesday', 'wed'],
      ['thursday', 'thu'],
      ['friday', 'fri'],
      ['saturday', 'sat'],
      ['sunday', 'sun'],
      ['january', 'jan'],
      ['february', 'feb'],
      ['march', 'mar'],
      ['april', 'apr'],
      ['june', 'jun'],
      ['july', 'jul'],
      ['august', 'aug'],
      ['september', 'sep'],
      ['october', 'oct'],
      ['november', 'nov'],
      ['december', 'dec'],
    ] as const
  ).flatMap(([full]) => [[full, full] as const, [`${full}s`, full] as const]),
  ['today', 'today'],
  ['tonight', 'today'],
  ['tomorrow', 'tomorrow'],
  ['yesterday', 'yesterday'],
  ['weekend', 'weekend'],
  ['weekday', 'weekday'],
  ['weekdays', 'weekday'],
  ['morning', 'morning'],
  ['afternoon', 'afternoon'],
  ['evening', 'evening'],
  ['night', 'night'],
  ['midnight', 'midnight'],
  ['noon', 'noon'],
  // other languages
  ['lundi', 'monday'],
  ['mardi', 'tuesday'],
  ['mercredi', 'wednesday'],
  ['jeudi', 'thursday'],
  ['vendredi', 'friday'],
  ['samedi', 'saturday'],
  ['dimanche', 'sunday'],
  ['montag', 'monday'],
  ['dienstag', 'tuesday'],
  ['mittwoch', 'wednesday'],
  ['donnerstag', 'thursday'],
  ['freitag', 'friday'],
  ['samstag', 'saturday'],
  ['sonntag', 'sunday'],
  ['lunes', 'monday'],
  ['martes', 'tuesday'],
  ['miércoles', 'wednesday'],
  ['jueves', 'thursday'],
  ['viernes', 'friday'],
  ['sábado', 'saturday'],
  ['domingo', 'sunday'],
  ["aujourd'hui", 'today'],
  ['demain', 'tomorrow'],
  ['hier', 'yesterday'],
  ['heute', 'today'],
  ['morgen', 'tomorrow'],
  ['gestern', 'yesterday'],
  ['hoy', 'today'],
  ['mañana', 'tomorrow'],
  ['ayer', 'yesterday'],
]);

/** Units and currencies by what they measure in: "5 km" and "5 kilometres" agree, "5 miles" does not. */
export const UNIT_WORDS: ReadonlyMap<string, string> = new Map(
  (
    [
      ['mm', ['mm', 'millimeter', 'millimeters', 'millimetre', 'millimetres']],
      ['cm', ['cm', 'centimeter', 'centimeters', 'centimetre', 'centimetres']],
      ['m', ['meter', 'meters', 'metre', 'metres']],
      ['km', ['km', 'kilometer', 'kilometers', 'kilometre', 'kilometres', 'kms']],
      ['in', ['inch', 'inches']],
      ['ft', ['ft', 'foot', 'feet']],
      ['yd', ['yd', 'yard', 'yards']],
      ['mi', ['mile', 'miles', 'mph']],
      ['mg', ['mg', 'milligram', 'milligrams']],
      ['g', ['gram', 'grams', 'gramme', 'grammes']],
      ['kg', ['kg', 'kgs', 'kilogram', 'kilograms', 'kilo', 'kilos']],
      ['lb', ['lb', 'lbs', 'pound', 'pounds']],
      ['oz', ['oz', 'ounce', 'ounces']],
      ['ton', ['ton', 'tons', 'tonne', 'tonnes']],
      ['ml', ['ml', 'milliliter', 'milliliters', 'millilitre', 'millilitres']],
      ['l', ['liter', 'liters', 'litre', 'litres']],
      ['gal', ['gal', 'gallon', 'gallons']],
      ['c', ['celsius', 'centigrade']],
      ['f', ['fahrenheit']],
      ['k', ['kelvin']],
      ['ms', ['ms', 'millisecond', 'milliseconds']],
      ['s', ['sec', 'secs', 'seconds']],
      ['min', ['minute', 'minutes', 'mins']],
      ['h', ['hour', 'hours', 'hr', 'hrs']],
      ['day', ['day', 'days']],
      ['week', ['week', 'weeks']],
      ['month', ['month', 'months']],
      ['year', ['year', 'years']],
      ['kb', ['kb', 'kilobyte', 'kilobytes']],
      ['mb', ['mb', 'megabyte', 'megabytes']],
      ['gb', ['gb', 'gigabyte', 'gigabytes']],
      ['tb', ['tb', 'terabyte', 'terabytes']],
      ['percent', ['percent', 'percentage', '%']],
      ['usd', ['usd', 'dollar', 'dollars', '$']],
      ['eur', ['eur', 'euro', 'euros', '€']],
      ['gbp', ['gbp', 'sterling', '£']],
      ['jpy', ['jpy', 'yen', '¥']],
      ['inr', ['inr', 'rupee', 'rupees', '₹']],
      ['cny', ['cny', 'yuan', 'rmb']],
      ['chf', ['chf', 'franc', 'francs']],
      ['btc', ['btc', 'bitcoin', 'bitcoins']],
      ['w', ['watt', 'watts']],
      ['kw', ['kw', 'kilowatt', 'kilowatts']],
      ['kwh', ['kwh']],
      ['v', ['volt', 'volts']],
      ['hz', ['hz', 'hertz']],
      ['ghz', ['ghz', 'gigahertz']],
      ['cal', ['calorie', 'calories', 'kcal']],
    ] as const
  ).flatMap(([unit, words]) => words.map((word) => [word, unit] as const)),
);

/** Symbols the tokenizer drops that name a unit or currency. */
export const UNIT_SYMBOLS = /[$€£¥₹%]/g;

/**
 * Negation in other languages (English is in the lexicon). French counts one per "ne … pas" (the second
 * part; spoken French drops "ne"); a bare "ne"/"n'" counts when no second part follows.
 */
export const FOREIGN_NEGATIONS: ReadonlySet<string> = new Set([
  // French
  'pas',
  'jamais',
  'rien',
  'aucun',
  'aucune',
  'guère',
  'nullement',
  'sans',
  // German
  'nicht',
  'kein',
  'keine',
  'keinen',
  'keinem',
  'keiner',
  'keines',
  'nie',
  'niemals',
  'nichts',
  'niemand',
  'ohne',
  // Spanish ("no" is counted with English)
  'nunca',
  'nada',
  'nadie',
  'ningún',
  'ninguno',
  'ninguna',
  'jamás',
  'tampoco',
  'sin',
]);

/** Number words in French, German and Spanish ("one" is left out: it is also the article). */
export const FOREIGN_NUMBER_WORDS: ReadonlyMap<string, string> = new Map([
  ...(
    [
      ['2', ['deux', 'zwei']],
      ['3', ['trois', 'drei', 'tres']],
      ['4', ['quatre', 'vier', 'cuatro']],
      ['5', ['cinq', 'fünf', 'cinco']],
      ['6', ['six', 'sechs', 'seis']],
      ['7', ['sept', 'sieben', 'siete']],
      ['8', ['huit', 'acht', 'ocho']],
      ['9', ['neuf', 'neun', 'nueve']],
      ['10', ['dix', 'zehn', 'diez']],
      ['11', ['onze']],
      ['12', ['douze', 'zwölf', 'doce']],
      ['20', ['vingt', 'zwanzig', 'veinte']],
      ['30', ['trente', 'dreißig', 'treinta']],
      ['100', ['hundert', 'cien', 'cientos']],
      ['1000', ['mille', 'tausend']],
    ] as const
  ).flatMap(([value, words]) => words.map((word) => [word, value] as const)),
]);
