/** What real documentation folders need: HTML heading paths, no page chrome, VuePress extras, one copy of each text. */
import { describe, expect, it } from 'vitest';
import { formatRank, markCopies } from '../src/documents/copies.js';
import { htmlToText } from '../src/documents/html.js';
import { headingSlug } from '../src/documents/markdown.js';
import { splitDocument } from '../src/documents/split.js';
import type { LoadedDocument, Passage } from '../src/types.js';

function html(file: string, source: string): LoadedDocument {
  const { text, sourceLine, sourceEndLine, title, headings, linkShare } = htmlToText(source);
  return { file, absPath: `/x/${file}`, kind: 'html', text, sourceLine, sourceEndLine, outline: { title, headings, linkShare }, sha256: '', size: 0, mtimeMs: 0 };
}

function markdown(file: string, text: string): LoadedDocument {
  return { file, absPath: `/x/${file}`, kind: 'markdown', text, sha256: '', size: 0, mtimeMs: 0 };
}

/** The passages a question could get, as "heading path :: text". */
function answers(doc: LoadedDocument): string[] {
  return splitDocument(doc).filter((p) => p.searchable).map((p) => `${p.headings.join(' › ')} :: ${p.text}`);
}

const SPHINX = `<html><head><title>csv — CSV File Reading &#8212; Python 3.11 documentation</title>
<style>@media only screen { table.full-width-table { width: 100%; } }</style></head><body>
<div class="related" role="navigation"><a href="../index.html">Python</a> » <a href="index.html">The Python Standard Library</a></div>
<div class="menu-wrapper"><h3>Previous topic</h3><p><a href="a.html">Other module and its long description</a></p></div>
<div class="body" role="main">
<section id="module-csv">
<h1>csv — CSV File Reading<a class="headerlink" href="#module-csv" title="Permalink to this heading">¶</a></h1>
<p>The csv module implements classes to read and write tabular data.</p>
<section id="module-contents">
<h2>Module Contents<a class="headerlink" href="#module-contents">¶</a></h2>
<dl class="py function">
<dt class="sig sig-object py" id="csv.reader"><span class="sig-name">csv.reader</span>(csvfile)<a class="headerlink" href="#csv.reader">¶</a></dt>
<dd><p>Return a reader object which will iterate over lines in the given csvfile.</p></dd>
</dl>
<p>The csv module defines the following classes as well.</p>
<div class="toctree-wrapper"><ul><li><a href="x.html">csv.writer objects and dialects</a></li></ul></div>
</section></section>
</div>
<div class="footer">© Copyright 2001-2026, Python Software Foundation. Found a bug?</div>
</body></html>`;

describe('HTML documentation pages', () => {
  const doc = html('library/csv.html', SPHINX);

  it('builds a heading path from h1–h6 and API signatures, as Markdown headings do', () => {
    expect(answers(doc)).toEqual([
      'csv — CSV File Reading :: The csv module implements classes to read and write tabular data.',
      'csv — CSV File Reading › Module Contents › csv.reader(csvfile) :: Return a reader object which will iterate over lines in the given csvfile.',
      // The signature's scope ends with its list.
      'csv — CSV File Reading › Module Contents :: The csv module defines the following classes as well.',
    ]);
  });

  it('never returns a heading, a permalink mark, navigation, a table of contents, CSS or the footer', () => {
    const all = splitDocument(doc).map((p) => p.text).join('\n');
    for (const chrome of ['¶', 'Previous topic', 'Python »', '@media', 'Copyright', 'Found a bug']) expect(all).not.toContain(chrome);
    const headings = splitDocument(doc).filter((p) => p.text === 'Module Contents' || p.text.startsWith('csv.reader('));
    expect(headings.map((p) => p.searchable)).toEqual([false, false]);
  });

  it('keeps the page title and the heading anchor (for links to the rendered page)', () => {
    expect(doc.outline?.title).toBe('csv — CSV File Reading — Python 3.11 documentation');
    const reader = splitDocument(doc).find((p) => p.text.startsWith('Return a reader'));
    expect([reader?.title, reader?.anchor]).toEqual(['csv — CSV File Reading', 'csv.reader']);
  });

  it.each([
    ['Node.js\'s "#" mark', '<h2>Readline<span><a class="mark" href="#readline" id="readline">#</a></span></h2>', 'Readline'],
    ['a "§" entity', '<h2>Install <a href="#install">&sect;</a></h2>', 'Install'],
    ['an empty anchor before the words', '<h2><a href="#usage" aria-label="Permalink"></a>Usage</h2>', 'Usage'],
    ['a heading that is wholly a link keeps its words', '<h2><a href="#faq">FAQ 2</a></h2>', 'FAQ 2'],
  ])('drops a permalink mark by what it shows, not only by its class: %s', (_name, heading, path) => {
    expect(answers(html('api/x.html', `${heading}<p>Some words of real text here.</p>`))).toEqual([`${path} :: Some words of real text here.`]);
  });

  it.each([
    [
      'a term heads its definition, until the list ends (asciidoc man pages)',
      '<h2>EXAMPLES</h2><div class="dlist"><dl><dt class="hdlist1">Undo a commit and redo</dt><dd><pre><code>$ git reset --soft HEAD^</code></pre>' +
        '<p>This is most often done when you remembered what you just committed is incomplete.</p></dd></dl></div><p>After the list, plain text again.</p>',
      [
        'EXAMPLES › Undo a commit and redo :: $ git reset --soft HEAD^',
        'EXAMPLES › Undo a commit and redo :: This is most often done when you remembered what you just committed is incomplete.',
        'EXAMPLES :: After the list, plain text again.',
      ],
    ],
    [
      'terms in a row head one definition together',
      '<h2>OPTIONS</h2><dl><dt>--squash</dt><dt>--no-squash</dt><dd><p>Produce the working tree and index state as if a real merge happened.</p></dd></dl>',
      ['OPTIONS › --squash, --no-squash :: Produce the working tree and index state as if a real merge happened.'],
    ],
    [
      'a list inside a definition nests under its term, and ends before the rest of it',
      '<dl class="py function"><dt class="sig sig-object py" id="f">f(x)</dt><dd><p>Apply f to the value.</p><dl class="field-list"><dt>Parameters</dt>' +
        '<dd><p>x – the value to use</p></dd></dl><p>More words about f here.</p></dd></dl>',
      ['f(x) :: Apply f to the value.', 'f(x) › Parameters :: x – the value to use', 'f(x) :: More words about f here.'],
    ],
  ])('definition lists: %s', (_name, body, expected) => {
    expect(answers(html('git-reset.html', body))).toEqual(expected);
  });

  it('a DocBook page: navigation and footer by their class or id, and a tip box under its own title', () => {
    const page = html(
      'sect.accounts.html',
      '<ul class="docnav top"><li class="previous"><a href="a.html">Prev</a></li><li class="home">The Administrator Handbook</li></ul>' +
        '<h1>Creating Accounts</h1><p>Some words of real text here.</p>' +
        '<div class="sidebar"><div class="titlepage"><div><div><p class="title"><strong>TIP Add your user to the libvirt group</strong></p></div></div></div>' +
        '<div class="para">Members of the libvirt group control the daemon.</div></div><p>After the box, the section goes on.</p>' +
        '<div class="navfooter"><a href="b.html">Next</a> Chapter 9 of the book</div><div id="footer"><div id="footer-text">Last updated 2024-05-31 00:35:55 UTC</div></div>',
    );
    expect(answers(page)).toEqual([
      'Creating Accounts :: Some words of real text here.',
      'Creating Accounts › TIP Add your user to the libvirt group :: Members of the libvirt group control the daemon.',
      'Creating Accounts :: After the box, the section goes on.',
    ]);
  });

  it.each(['unavailable', 'canvas', 'content', 'canal'])('a class that only contains the letters "nav" (%s) is content', (name) => {
    expect(answers(html('a.html', `<h1>Guide</h1><div class="${name}">Some words of real text here.</div>`))).toEqual(['Guide :: Some words of real text here.']);
  });

  it('reads every text of a page without a content root (no role="main")', () => {
    const plain = html('a.html', '<nav>Menu</nav><h1>Guide</h1><p>Some words of real text here.</p><footer>Footer</footer>');
    expect(answers(plain)).toEqual(['Guide :: Some words of real text here.']);
  });
});

describe('VuePress Markdown', () => {
  const page = [
    '<style>.x { color: red; }</style>',
    '',
    '# Installing',
    '',
    '::: tip',
    'Run the command in your project folder, not in your home folder.',
    ':::',
    '',
    ':::: code-group',
    '::: code-group-item npm',
    '```sh',
    'npm install discord.js',
    '```',
    ':::',
    '::: code-group-item yarn',
    '```sh',
    'yarn add discord.js',
    '```',
    ':::',
    '::::',
    '',
    'discord.js features the <DocsLink path="EmbedBuilder:Class" /> utility class for embeds.',
    '',
    '<DiscordMessages>',
    '  <DiscordMessage profile="bot">Pong! and more words here</DiscordMessage>',
    '</DiscordMessages>',
  ].join('\n');

  it('reads tips as text, keeps one tab of a code group, DocsLink text, and no CSS or chat mock-ups', () => {
    expect(answers(markdown('guide.md', page))).toEqual([
      'Installing :: Run the command in your project folder, not in your home folder.',
      'Installing :: ```sh\nnpm install discord.js\n```',
      'Installing :: discord.js features the <DocsLink path="EmbedBuilder:Class" /> utility class for embeds.',
    ]);
  });

  it.each([
    ['Using the `EmbedBuilder` class!', 'using-the-embedbuilder-class'],
    ['Changes in v14', 'changes-in-v14'],
    ['Q&A: what’s new?', 'qa-whats-new'],
    ['Step 2: Install (Linux)', 'step-2-install-linux'],
    ['  What’s new?  ', 'whats-new'],
    ['snake_case and-dash', 'snake_case-and-dash'],
  ])('heading %j links as #%s', (heading, slug) => {
    expect(headingSlug(heading)).toBe(slug);
  });
});

describe('copies of the same text in other formats', () => {
  const passage = (file: string, text: string): Passage => ({
    id: `${file}#1`, file, paragraph: 1, part: 0, lines: [1, 1], title: '', headings: [], text, hash: '', searchable: true,
  });
  const words = 'Every package must have a maintainer field naming the person responsible for the package and its bugs.';
  const kinds: Record<string, string> = { 'p/ch-control.html': 'html', 'p/_sources/ch-control.rst.txt': 'text', 'policy.txt': 'text', 'other.html': 'html', 'notes.md': 'markdown' };

  it.each([
    ['the reST source of a rendered page', 'p/_sources/ch-control.rst.txt', `Every package **must** have a :ref:\`maintainer\` field naming the person responsible for the package and its bugs.`, false],
    ['the plain-text edition of the manual', 'policy.txt', `  ${words}\n`, false],
    ['a Markdown page that only shares a few words', 'notes.md', 'Every package must be checked before upload, says the team.', true],
  ])('%s is kept for /source but never an answer', (_name, file, text, searchable) => {
    const kept = markCopies([passage('p/ch-control.html', words), passage(file, text)], (f) => kinds[f] ?? 'text');
    expect(kept.map((p) => p.searchable)).toEqual([true, searchable]);
  });

  it('drops the rest of a file that is mostly a copy: the markup-only lines of a reST source', () => {
    const rst = 'p/_sources/ch-control.rst.txt';
    const kept = markCopies(
      [passage('p/ch-control.html', words), passage(rst, words), { ...passage(rst, '-  :ref:`Maintainer <s-f-Maintainer>` field here'), id: `${rst}#2`, paragraph: 2 }],
      (f) => kinds[f] ?? 'text',
    );
    expect(kept.map((p) => p.searchable)).toEqual([true, false, false]);
  });

  it('leaves copies within one format to the retriever (it keeps the best-fitting one)', () => {
    const kept = markCopies([passage('p/ch-control.html', words), passage('other.html', words)], (f) => kinds[f] ?? 'text');
    expect(kept.map((p) => p.searchable)).toEqual([true, true]);
  });

  it.each([
    ['a/page.html', 'html', 0],
    ['a/page.md', 'markdown', 1],
    ['policy.txt.gz', 'text', 2],
    ['policy.pdf', 'pdf', 3],
    ['html/_sources/index.rst.txt', 'text', 4],
  ])('prefers the rendered page: %s ranks %i', (file, kind, rank) => {
    expect(formatRank(file, kind)).toBe(rank);
  });
});
