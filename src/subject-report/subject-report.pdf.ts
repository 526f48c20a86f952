import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import type { SubjectReport } from './subject-report';

const requireFromHere = createRequire(__filename);
/**
 * DejaVu Sans covers Latin (with every diacritic), Greek and Cyrillic: victims' names are rarely
 * in the 8-bit character set of PDF's built-in fonts. Embedded as a subset, with a Unicode map,
 * so the text can be searched and copied.
 */
const FONTS = {
  regular: requireFromHere.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'),
  bold: requireFromHere.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf'),
};

/** The same report as the HTML page, as an A4 PDF to print and hand over. */
export function renderSubjectReportPdf(report: SubjectReport): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: 50,
    lang: report.language,
    displayTitle: false,
    // The document's metadata names no one: a file list or a viewer's title bar shows only this.
    info: { Title: 'Passage', Creator: 'Passage', Producer: 'Passage' },
  });
  doc.registerFont('regular', FONTS.regular);
  doc.registerFont('bold', FONTS.bold);
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const heading = (text: string, size: number): void => {
    doc.moveDown(0.6).font('bold').fontSize(size).text(text).moveDown(0.3).font('regular').fontSize(10);
  };
  const pair = (label: string, value: string): void => {
    if (label) doc.font('bold').text(`${label}: `, { continued: true });
    doc.font('regular').text(value);
  };

  doc.font('bold').fontSize(16).text(report.title);
  doc.moveDown(0.5).font('regular').fontSize(10).text(report.intro).moveDown(0.5);
  for (const fact of report.facts) pair(fact.label, fact.value);

  heading(report.dataHeading, 13);
  doc.text(report.dataIntro);
  for (const section of report.sections) {
    heading(section.title, 11);
    for (const field of section.fields) pair(field.label, field.value);
    if (section.documents.length > 0) {
      doc.moveDown(0.2).font('bold').text(report.documentsLabel).font('regular');
      for (const name of section.documents) doc.text(`• ${name}`, { indent: 12 });
    }
  }

  heading(report.notesHeading, 13);
  doc.text(report.notesIntro).moveDown(0.3);
  if (report.notes.length === 0) doc.text(report.noNotes);
  for (const note of report.notes) {
    doc.font('bold').text(`${note.when}  ${note.kind}  ${note.who}`, { continued: true }).font('regular').text(` (${note.organisation})`);
    doc.text(note.body, { indent: 12 });
    doc.moveDown(0.2);
  }

  heading(report.accessHeading, 13);
  doc.text(report.accessIntro).moveDown(0.3);
  if (report.accesses.length === 0) doc.text(report.noAccess);
  const columns = report.accessColumns;
  for (const access of report.accesses) {
    // One block per access: a table would cut long names and organisation names.
    doc.font('bold').text(`${access.when}  ${access.who}`, { continued: true }).font('regular').text(` (${access.organisation})`);
    doc.text(
      `${columns.what}: ${access.what}${access.sections ? ` | ${columns.sections}: ${access.sections}` : ''}${access.basis ? ` | ${columns.basis}: ${access.basis}` : ''}`,
      {
        indent: 12,
      },
    );
    doc.moveDown(0.2);
  }
  if (report.truncatedNote) doc.moveDown(0.3).text(report.truncatedNote);
  doc.moveDown(1).fontSize(8).text(report.generated);
  doc.end();
  return done;
}
