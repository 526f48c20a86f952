/**
 * Normal forms of a victim's name and document numbers for matching across agencies. Two
 * spellings an officer and a shelter plausibly write for the same person (with or without
 * diacritics, in another case or word order, in Cyrillic or in one of the usual Latin
 * transliterations) normalise to the same string; only that string is ever HMAC'ed.
 *
 * The folding is deliberately lossy: a false "possible" match costs a phone call between
 * agencies, a missed duplicate costs a victim telling their story twice.
 */

/**
 * Cyrillic → Latin as ICAO 9303 writes it in machine-readable passports (Russian, Ukrainian,
 * Belarusian, Bulgarian, Serbian and Macedonian letters). The Latin folding below then brings the
 * other common systems (English, German, Czech/scientific) onto the same form.
 */
const CYRILLIC: Record<string, string> = {
  а: 'a',
  б: 'b',
  в: 'v',
  г: 'g',
  д: 'd',
  е: 'e',
  ё: 'e',
  ж: 'zh',
  з: 'z',
  и: 'i',
  й: 'i',
  к: 'k',
  л: 'l',
  м: 'm',
  н: 'n',
  о: 'o',
  п: 'p',
  р: 'r',
  с: 's',
  т: 't',
  у: 'u',
  ф: 'f',
  х: 'kh',
  ц: 'ts',
  ч: 'ch',
  ш: 'sh',
  щ: 'shch',
  ъ: '',
  ы: 'y',
  ь: '',
  э: 'e',
  ю: 'iu',
  я: 'ia',
  // Ukrainian and Belarusian
  є: 'ie',
  і: 'i',
  ї: 'i',
  ґ: 'g',
  ў: 'u',
  // Serbian and Macedonian
  ђ: 'd',
  ј: 'j',
  љ: 'lj',
  њ: 'nj',
  ћ: 'c',
  џ: 'dz',
  ѓ: 'g',
  ќ: 'k',
  ѕ: 'dz',
};

/**
 * Latin letters that Unicode decomposition does not reduce to a base letter, and the
 * Czech/scientific transliteration letters whose English equivalents are digraphs (Žukov = Zhukov).
 */
const LATIN_SPECIAL: Record<string, string> = {
  ž: 'zh',
  š: 'sh',
  č: 'ch',
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ı: 'i',
  þ: 'th',
  ð: 'd',
};

/**
 * Spelling variants of one sound, most specific first, so German "Schtsch" and English "Shch"
 * both reach "shch" before "sh"/"ch" are looked at.
 */
const FOLDS: ReadonlyArray<[RegExp, string]> = [
  [/x/g, 'ks'], // Alexandr = Aleksandr
  [/ph/g, 'f'], // Stephan = Stefan
  [/w/g, 'v'], // German/Polish Iwanow = Ivanov
  [/tsch/g, 'ch'], // German Schewtschenko = Shevchenko
  [/tch/g, 'ch'], // French Tchernenko = Chernenko
  [/sch/g, 'sh'], // German Schukow = Shukov
  [/kh/g, 'h'], // Mikhail = Mihail
  [/t[sz]/g, 'c'], // Kuznetsova = Kuznecova = Kuznetzova
  [/[jy]/g, 'i'], // Sergey = Sergej = Sergei, Yulia = Julia = Iulia
  [/(.)\1+/g, '$1'], // Yuliya → iuliia → iulia; Natalya = Nataliia = Natalia; Anna = Ana
];

/** One word of a name in its folded form. */
function foldWord(word: string): string {
  let folded = word;
  for (const [pattern, replacement] of FOLDS) folded = folded.replace(pattern, replacement);
  return folded;
}

/** Lower case, Cyrillic transliterated, diacritics and punctuation gone; words in the order given. */
export function nameWords(name: string): string[] {
  const lower = name.normalize('NFKC').toLowerCase();
  let latin = '';
  for (const char of lower) latin += CYRILLIC[char] ?? LATIN_SPECIAL[char] ?? char;
  const bare = latin
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    // Apostrophes join (O'Brien, Natal'ya); every other non-letter separates words (Jean-Pierre, "IVANOV, Sergei").
    .replace(/['’ʼ`´]/g, '');
  return bare
    .split(/[^a-z]+/)
    .filter((word) => word.length > 0)
    .map(foldWord)
    .filter((word) => word.length > 0);
}

/**
 * The normal form of a full name: its folded words, sorted (so word order does not matter:
 * "Ivanov Sergei" = "Sergei Ivanov") and without repeats. Empty when the name has no letters.
 */
export function normaliseName(name: string): string {
  return [...new Set(nameWords(name))].sort().join(' ');
}

/**
 * The normal form of a document number: upper case, letters and digits only ("ab 123-456" =
 * "AB123456"); Cyrillic letters transliterated as in names, since some series are written both ways.
 */
export function normaliseDocumentNumber(number: string): string {
  let latin = '';
  for (const char of number.normalize('NFKC').toLowerCase()) latin += CYRILLIC[char] ?? char;
  return latin
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .replace(/[^A-Z0-9]/g, '');
}
