/**
 * Writes a small, valid PDF byte for byte (no dependencies), so tests read a
 * real PDF through the real loader without a binary fixture in the repo.
 * Each page is a list of lines in 12 pt Helvetica with 14 pt leading; an empty
 * string leaves a blank line (a paragraph gap, as a typesetter would), and a
 * `{ text, size }` line is set in that size (a heading).
 */

/** A line of a page: plain text in 12 pt, or text in a size of its own. */
export type PdfLineSpec = string | { text: string; size: number };

/**
 * @example
 * await fs.writeFile('manual.pdf', pdfBytes([['Page one.'], ['Page two.']], { title: 'Manual' }));
 */
export function pdfBytes(pages: PdfLineSpec[][], meta: { title?: string } = {}): Buffer {
  const objects: string[] = [];
  const add = (body: string): number => objects.push(body);
  const font = add('<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>');
  const contents = pages.map((lines) => {
    const ops = ['BT', '/F1 12 Tf', '14 TL', '72 720 Td', ...lines.map(lineOps), 'ET'].join('\n');
    return add(`<< /Length ${Buffer.byteLength(ops, 'latin1')} >>\nstream\n${ops}\nendstream`);
  });
  const pagesId = objects.length + pages.length + 1;
  const kids = contents.map((content) =>
    add(`<< /Type /Page /Parent ${pagesId} 0 R /MediaBox [0 0 612 792] /Contents ${content} 0 R /Resources << /Font << /F1 ${font} 0 R >> >> >>`),
  );
  add(`<< /Type /Pages /Kids [${kids.map((id) => `${id} 0 R`).join(' ')}] /Count ${kids.length} >>`);
  const catalog = add(`<< /Type /Catalog /Pages ${pagesId} 0 R >>`);
  const info = meta.title === undefined ? null : add(`<< /Title (${escapePdf(meta.title)}) >>`);
  let out = '%PDF-1.4\n';
  const offsets = objects.map((body, i) => {
    const offset = Buffer.byteLength(out, 'latin1');
    out += `${i + 1} 0 obj\n${body}\nendobj\n`;
    return offset;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root ${catalog} 0 R${info === null ? '' : ` /Info ${info} 0 R`} >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

function lineOps(line: PdfLineSpec): string {
  if (line === '') return 'T*';
  if (typeof line === 'string') return `(${escapePdf(line)}) '`;
  return `/F1 ${line.size} Tf (${escapePdf(line.text)}) ' /F1 12 Tf`;
}

function escapePdf(line: string): string {
  return line.replace(/[\\()]/g, (c) => `\\${c}`);
}
