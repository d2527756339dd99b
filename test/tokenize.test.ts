import { describe, expect, it } from 'vitest';
import { analyze, tokenize } from '../src/text/tokenize.js';

describe('tokenize', () => {
  it.each([
    ['stop words go, content words are stemmed', 'What is the running of the bulls?', ['run', 'bull']],
    ['hyphenated: whole token and parts', 'use git-stash', ['us', 'git', 'stash', 'git-stash']],
    ['CLI flags keep their dashes', 'clone --depth 1', ['clone', 'depth', '--depth', '1']],
    ['code: dotted and camelCase parts', 'fs.readFile', ['fs', 'readfil', 'read', 'file', 'fs.readfile']],
    ['numbers stay as typed; digit groups join', 'In 2018 some 10,000 people', ['2018', 'some', '10000', 'peopl']],
    ['possessives and curly apostrophes', 'Trump’s team', ['trump', 'team']],
    ['accents fold', 'Café Zürich', ['cafe', 'zurich']],
    ['irregular past forms meet their base form', 'Rubio said it led', ['rubio', 'sai', 'lead']],
    ["the asker's pronouns and do-support go", 'How do I reset my phone?', ['reset', 'phone']],
    ['prepositions that tell passages apart stay', 'before or after the war', ['befor', 'after', 'war']],
    ['contractions are stop words', "don't won't", []],
    ['…typed without the apostrophe too', 'whats doesnt isnt im', []],
    ['British spellings fold to American ones', 'colour of the centre', ['color', 'center']],
    ['operators are terms', 'what does $? mean, and 2>&1', ['mean', '2', '1', '$?', '>&']],
    ['…only as a whole run, never from rules, comments or URLs', '==== <!-- x --> https://a.org', ['x', 'http', 'org', 'https://a.org']],
    ["…and not prose's marks", 'why?? user -> apps...', ['user', 'app']],
    ['abbreviation letters are not terms', 'the U.S. talks', ['u.s', 'talk']],
  ])('%s', (_name, text, expected) => {
    expect(tokenize(text)).toEqual(expected);
  });

  it('the same words give the same terms in a passage and a question', () => {
    const passage = tokenize('Secretary of State Marco Rubio led the talks.');
    for (const term of tokenize('Who led the talks? Was it the Secretary of State?')) expect(passage).toContain(term);
  });

  it('phrase words skip compounds so adjacent pairs are real neighbours', () => {
    expect(analyze('the git-stash command').words).toEqual(['git', 'stash', 'command']);
  });
});
