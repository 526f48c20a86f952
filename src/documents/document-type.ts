/** The document types Passage accepts, decided from the content, never from the name or the client's Content-Type. */
export enum DocumentMimeType {
  Pdf = 'application/pdf',
  Jpeg = 'image/jpeg',
  Png = 'image/png',
  Docx = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  Odt = 'application/vnd.oasis.opendocument.text',
}

export const DOCUMENT_EXTENSIONS: Record<DocumentMimeType, string> = {
  [DocumentMimeType.Pdf]: 'pdf',
  [DocumentMimeType.Jpeg]: 'jpg',
  [DocumentMimeType.Png]: 'png',
  [DocumentMimeType.Docx]: 'docx',
  [DocumentMimeType.Odt]: 'odt',
};

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const ODT_MIMETYPE = 'application/vnd.oasis.opendocument.text';

/** The names of the entries of a ZIP archive, from its central directory; undefined when it is not a readable ZIP. */
export function zipEntryNames(content: Buffer): string[] | undefined {
  // The end-of-central-directory record is in the last 22 + 65,535 (comment) bytes.
  const from = Math.max(0, content.length - 22 - 0xffff);
  let end = -1;
  for (let i = content.length - 22; i >= from; i -= 1) {
    if (content.readUInt32LE(i) === 0x06054b50) {
      end = i;
      break;
    }
  }
  if (end < 0) return undefined;
  const count = content.readUInt16LE(end + 10);
  let offset = content.readUInt32LE(end + 16);
  const names: string[] = [];
  for (let i = 0; i < count; i += 1) {
    if (offset + 46 > content.length || content.readUInt32LE(offset) !== 0x02014b50) return undefined;
    const nameLength = content.readUInt16LE(offset + 28);
    const extraLength = content.readUInt16LE(offset + 30);
    const commentLength = content.readUInt16LE(offset + 32);
    if (offset + 46 + nameLength > content.length) return undefined;
    names.push(content.toString('utf8', offset + 46, offset + 46 + nameLength));
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}

/**
 * The type of a document from its bytes: PDF, JPEG and PNG by their signatures; DOCX and ODT
 * are ZIP archives told apart by their entries (OOXML's [Content_Types].xml and word/document.xml;
 * ODF's leading, uncompressed `mimetype` entry). Anything else is undefined: refused.
 */
export function sniffDocumentType(content: Buffer): DocumentMimeType | undefined {
  if (content.length >= 5 && content.subarray(0, 5).toString('latin1') === '%PDF-') return DocumentMimeType.Pdf;
  if (content.length >= 3 && content[0] === 0xff && content[1] === 0xd8 && content[2] === 0xff) return DocumentMimeType.Jpeg;
  if (content.length >= 8 && content.subarray(0, 8).equals(PNG_SIGNATURE)) return DocumentMimeType.Png;
  if (content.length >= 30 && content.readUInt32LE(0) === 0x04034b50) {
    // ODF puts `mimetype` first, stored, so its content sits right after the 30-byte local header and the name.
    const nameLength = content.readUInt16LE(26);
    const extraLength = content.readUInt16LE(28);
    if (content.toString('latin1', 30, 30 + nameLength) === 'mimetype') {
      const start = 30 + nameLength + extraLength;
      return content.toString('latin1', start, start + ODT_MIMETYPE.length) === ODT_MIMETYPE ? DocumentMimeType.Odt : undefined;
    }
    const names = zipEntryNames(content);
    if (names?.includes('[Content_Types].xml') && names.includes('word/document.xml')) return DocumentMimeType.Docx;
  }
  return undefined;
}
