import type { SubjectReport } from './subject-report';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Every value typed by a person goes through here: the report is HTML built from untrusted text. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char]!);
}

/**
 * A self-contained, printable page: no script, no external resource, the styles inline (the
 * app's CSP allows inline styles). The page title names no one, so a browser's history or tab
 * list shows nothing identifying.
 */
export function renderSubjectReportHtml(report: SubjectReport): string {
  const e = escapeHtml;
  const facts = report.facts.map((fact) => `<dt>${e(fact.label)}</dt><dd>${e(fact.value)}</dd>`).join('');
  const sections = report.sections
    .map(
      (section) =>
        `<section><h3>${e(section.title)}</h3><dl>${section.fields
          .map((field) => (field.label ? `<dt>${e(field.label)}</dt><dd>${e(field.value)}</dd>` : `<dd>${e(field.value)}</dd>`))
          .join('')}</dl>${
          section.documents.length > 0 ? `<h4>${e(report.documentsLabel)}</h4><ul>${section.documents.map((name) => `<li>${e(name)}</li>`).join('')}</ul>` : ''
        }</section>`,
    )
    .join('');
  const notes =
    report.notes.length === 0
      ? `<p>${e(report.noNotes)}</p>`
      : report.notes
          .map(
            (note) =>
              `<article><p><strong>${e(note.when)} · ${e(note.kind)} · ${e(note.who)}</strong> (${e(note.organisation)})</p><p>${e(note.body)}</p></article>`,
          )
          .join('');
  const columns = report.accessColumns;
  const accesses =
    report.accesses.length === 0
      ? `<p>${e(report.noAccess)}</p>`
      : `<table><thead><tr>${[columns.when, columns.who, columns.organisation, columns.what, columns.sections, columns.basis]
          .map((title) => `<th scope="col">${e(title)}</th>`)
          .join('')}</tr></thead><tbody>${report.accesses
          .map((a) => `<tr>${[a.when, a.who, a.organisation, a.what, a.sections, a.basis].map((cell) => `<td>${e(cell)}</td>`).join('')}</tr>`)
          .join('')}</tbody></table>${report.truncatedNote ? `<p>${e(report.truncatedNote)}</p>` : ''}`;
  return `<!doctype html>
<html lang="${report.language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Passage</title>
<style>
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#111;line-height:1.45}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}dt{font-weight:600}dd{margin:0}
table{border-collapse:collapse;width:100%;font-size:.9rem}th,td{border:1px solid #999;padding:.3rem .5rem;text-align:left;vertical-align:top}
@media print{body{margin:0}}
</style>
</head>
<body>
<main>
<h1>${e(report.title)}</h1>
<p>${e(report.intro)}</p>
<dl>${facts}</dl>
<h2>${e(report.dataHeading)}</h2>
<p>${e(report.dataIntro)}</p>
${sections}
<h2>${e(report.notesHeading)}</h2>
<p>${e(report.notesIntro)}</p>
${notes}
<h2>${e(report.accessHeading)}</h2>
<p>${e(report.accessIntro)}</p>
${accesses}
<p><small>${e(report.generated)}</small></p>
</main>
</body>
</html>
`;
}
