import { randomBytes } from 'node:crypto';
import { BlindIndexer, BlindIndexKind, probeOfIdentity } from './blind-index';
import { normaliseDocumentNumber, normaliseName } from './identity-normaliser';

describe('normaliseName', () => {
  it.each<[string, string[]]>([
    ['diacritics and case', ['José García', 'JOSE GARCIA', 'jose garcía']],
    ['Polish letters', ['Żaneta Wiśniewska', 'Zaneta Wisniewska']],
    ['word order and punctuation', ['Sergei Ivanov', 'IVANOV, Sergei', 'Ivanov Sergei']],
    ['Cyrillic and its Latin transliterations', ['Сергей Иванов', 'Sergey Ivanov', 'Sergej Iwanow', 'Sergei Ivanov', 'Ivanov Sergeï']],
    ['ICAO 9303 passport spelling and the English one', ['Юлия Щербакова', 'Iuliia Shcherbakova', 'Yuliya Shcherbakova', 'Julia Schtscherbakowa']],
    ['soft sign, ya/ia/ja and ts/c', ['Наталья Кузнецова', 'Natalya Kuznetsova', "Natal'ya Kuznetsova", 'Natalia Kuznecova', 'Natalja Kuznetzova']],
    ['zh, sh, ch as Czech/scientific letters', ['Жукова Шевченко', 'Žukova Ševčenko', 'Zhukova Shevchenko', 'Zhukova Schewtschenko']],
    ['kh / h and x / ks', ['Михаил Александров', 'Mikhail Aleksandrov', 'Mihail Alexandrov']],
    ['hyphens and apostrophes', ["Jean-Pierre O'Brien", 'Jean Pierre OBrien', 'obrien jean pierre']],
  ])('%s', (_label, spellings) => {
    const forms = new Set(spellings.map(normaliseName));
    expect(forms.size).toBe(1);
    expect([...forms][0]).not.toBe('');
  });

  it('keeps different names apart', () => {
    expect(normaliseName('Sergei Ivanov')).not.toBe(normaliseName('Sergei Ivanova'));
    expect(normaliseName('Oleksandr Koval')).not.toBe(normaliseName('Aleksandr Koval'));
    expect(normaliseName('Maria Popescu')).not.toBe(normaliseName('Mario Popescu'));
  });

  it('gives the folded, sorted words', () => {
    expect(normaliseName('Юлия Щербакова')).toBe('iulia shcherbakova');
    expect(normaliseName('IVANOV, Sergey')).toBe('ivanov sergei');
  });

  it('has no letters to offer for punctuation or digits only', () => {
    expect(normaliseName(' -- 123 ')).toBe('');
  });
});

describe('normaliseDocumentNumber', () => {
  it('ignores case, spaces, dashes and dots', () => {
    expect(new Set(['ab 123-456', 'AB123456', 'a.b.1 2 3 4 5 6', 'AB–123456'].map(normaliseDocumentNumber))).toEqual(new Set(['AB123456']));
  });

  it('keeps digits and letters significant', () => {
    expect(normaliseDocumentNumber('AB123456')).not.toBe(normaliseDocumentNumber('AB123457'));
  });
});

describe('BlindIndexer', () => {
  const key = (id: string) => ({ id, key: randomBytes(32) });
  const identity = { fullName: 'Сергей Иванов', aliases: ['Serge'], dateOfBirth: '1990-04-12', documents: [{ type: 'passport', number: 'ab 123-456' }] };

  it('indexes name, name with date of birth and documents, under the current key only', () => {
    const indexer = new BlindIndexer([key('new'), key('old')]);
    const terms = indexer.termsToStore(probeOfIdentity(identity));
    expect(terms.map((t) => t.kind).sort()).toEqual([
      BlindIndexKind.Document,
      BlindIndexKind.Name,
      BlindIndexKind.Name,
      BlindIndexKind.NameAndBirthDate,
      BlindIndexKind.NameAndBirthDate,
    ]);
    expect(new Set(terms.map((t) => t.keyId))).toEqual(new Set(['new']));
    expect(terms.every((t) => t.digest.length === 32)).toBe(true);
  });

  it('finds another spelling of the same person and searches with every key', () => {
    const current = key('new');
    const previous = key('old');
    const stored = new BlindIndexer([previous]).termsToStore(probeOfIdentity(identity));
    const search = new BlindIndexer([current, previous]).termsToSearch({ names: ['IVANOV, Sergey'], dateOfBirth: '1990-04-12', documentNumbers: ['AB123456'] });
    const found = stored.filter((s) => search.some((t) => t.digest.equals(s.digest)));
    expect(found.map((t) => t.kind).sort()).toEqual([BlindIndexKind.Document, BlindIndexKind.Name, BlindIndexKind.NameAndBirthDate]);
  });

  it('depends on the key: another key gives unrelated digests', () => {
    const a = new BlindIndexer([key('k')]).termsToStore(probeOfIdentity(identity));
    const b = new BlindIndexer([key('k')]).termsToStore(probeOfIdentity(identity));
    expect(a.some((t) => b.some((u) => u.digest.equals(t.digest)))).toBe(false);
  });

  it('never holds the plaintext and separates kinds', () => {
    const indexer = new BlindIndexer([key('k')]);
    const terms = indexer.termsToStore({ names: ['Abcdefgh'], documentNumbers: ['ABCDEFGH'] });
    expect(terms).toHaveLength(2);
    expect(terms[0]!.digest.equals(terms[1]!.digest)).toBe(false);
    expect(terms.some((t) => t.digest.includes(Buffer.from('abcdefgh')) || t.digest.includes(Buffer.from('ABCDEFGH')))).toBe(false);
  });

  it('skips names and numbers too short to say anything', () => {
    expect(new BlindIndexer([key('k')]).termsToStore({ names: ['Li', '--'], documentNumbers: ['12-3'] })).toEqual([]);
  });
});
