import { deflateRawSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { DocumentCipher, CHUNK_BYTES } from './document-cipher';
import { DocumentMimeType, sniffDocumentType, zipEntryNames } from './document-type';

/** A minimal ZIP archive (what DOCX and ODT are): local headers, central directory, end record. */
function zip(entries: Array<{ name: string; content: string; stored?: boolean }>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name);
    const data = entry.stored ? Buffer.from(entry.content) : deflateRawSync(Buffer.from(entry.content));
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(entry.stored ? 0 : 8, 8);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(entry.content.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(entry.stored ? 0 : 8, 10);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(entry.content.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += 30 + name.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

describe('sniffDocumentType', () => {
  it('recognises PDF, JPEG and PNG by their signatures', () => {
    expect(sniffDocumentType(Buffer.from('%PDF-1.4\n...'))).toBe(DocumentMimeType.Pdf);
    expect(sniffDocumentType(Buffer.from([0xff, 0xd8, 0xff, 0xdb, 0, 0]))).toBe(DocumentMimeType.Jpeg);
    expect(sniffDocumentType(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0]))).toBe(DocumentMimeType.Png);
  });

  it('tells DOCX and ODT from other ZIP archives', () => {
    const docx = zip([
      { name: '[Content_Types].xml', content: '<Types/>' },
      { name: '_rels/.rels', content: '<Relationships/>' },
      { name: 'word/document.xml', content: '<w:document/>' },
    ]);
    const odt = zip([
      { name: 'mimetype', content: 'application/vnd.oasis.opendocument.text', stored: true },
      { name: 'content.xml', content: '<office:document-content/>' },
    ]);
    const ods = zip([{ name: 'mimetype', content: 'application/vnd.oasis.opendocument.spreadsheet', stored: true }]);
    const xlsx = zip([
      { name: '[Content_Types].xml', content: '<Types/>' },
      { name: 'xl/workbook.xml', content: '<workbook/>' },
    ]);
    expect(zipEntryNames(docx)).toEqual(['[Content_Types].xml', '_rels/.rels', 'word/document.xml']);
    expect(sniffDocumentType(docx)).toBe(DocumentMimeType.Docx);
    expect(sniffDocumentType(odt)).toBe(DocumentMimeType.Odt);
    expect(sniffDocumentType(ods)).toBeUndefined();
    expect(sniffDocumentType(xlsx)).toBeUndefined();
  });

  it('refuses everything else, including truncated or lying archives', () => {
    expect(sniffDocumentType(Buffer.from('<html><script>alert(1)</script>'))).toBeUndefined();
    expect(sniffDocumentType(Buffer.from('GIF89a'))).toBeUndefined();
    expect(sniffDocumentType(Buffer.alloc(0))).toBeUndefined();
    const docx = zip([
      { name: '[Content_Types].xml', content: '<Types/>' },
      { name: 'word/document.xml', content: '<w:document/>' },
    ]);
    expect(sniffDocumentType(docx.subarray(0, docx.length - 30))).toBeUndefined();
    const broken = Buffer.from(docx);
    broken.writeUInt32LE(0xffffff, broken.length - 6); // the central directory offset points past the end
    expect(sniffDocumentType(broken)).toBeUndefined();
  });
});

describe('DocumentCipher', () => {
  const id = '7b0c56a4-8f0e-4c63-9b55-1d7f4a0e2f11';

  it('round-trips content across chunks and only with its own key', () => {
    const cipher = DocumentCipher.generate();
    const content = randomBytes(2 * CHUNK_BYTES + 17);
    const chunks = cipher.encryptContent(id, content);
    expect(chunks).toHaveLength(3);
    const again = DocumentCipher.withKey(cipher.dataKey);
    expect(Buffer.concat(chunks.map((chunk, seq) => again.decryptChunk(id, seq, seq === 2, chunk))).equals(content)).toBe(true);
    expect(() => DocumentCipher.generate().decryptChunk(id, 0, false, chunks[0]!)).toThrow();
  });

  it('detects swapped, moved and cut-off chunks', () => {
    const cipher = DocumentCipher.generate();
    const chunks = cipher.encryptContent(id, randomBytes(2 * CHUNK_BYTES));
    expect(() => cipher.decryptChunk(id, 0, false, chunks[1]!)).toThrow();
    expect(() => cipher.decryptChunk('00000000-0000-4000-8000-000000000000', 0, false, chunks[0]!)).toThrow();
    // Dropping the last chunk: the one before it was not sealed as the last.
    expect(() => cipher.decryptChunk(id, 0, true, chunks[0]!)).toThrow();
  });

  it('seals the metadata to its document', () => {
    const cipher = DocumentCipher.generate();
    const sealed = cipher.sealMetadata(id, { name: 'passport.pdf' });
    expect(cipher.openMetadata(id, sealed)).toEqual({ name: 'passport.pdf' });
    expect(sealed.includes(Buffer.from('passport'))).toBe(false);
    expect(() => cipher.openMetadata('00000000-0000-4000-8000-000000000000', sealed)).toThrow();
  });
});
