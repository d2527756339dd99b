import { describe, expect, it } from 'vitest';
import { foldSpelling } from '../src/text/spelling.js';
import { tokenize } from '../src/text/tokenize.js';

describe('foldSpelling', () => {
  it.each([
    ['colours', 'colors'],
    ['favourite', 'favorite'],
    ['behavioural', 'behavioral'],
    ['organisation', 'organization'],
    ['prioritising', 'prioritizing'],
    ['analysed', 'analyzed'],
    ['centre', 'center'],
    ['litres', 'liters'],
    ['catalogue', 'catalog'],
    ['cheque', 'check'],
    ['licence', 'license'],
    ['haemoglobin', 'hemoglobin'],
    ['paediatric', 'pediatric'],
  ])('%s → %s', (british, american) => {
    expect(foldSpelling(british)).toBe(american);
  });

  // Words that only look British: folding them would merge two words or split a family.
  it.each(['hour', 'four', 'your', 'tour', 'devour', 'contours', 'appraise', 'precise', 'advise', 'exercise', 'rise', 'wise', 'timbre', 'acre', 'rogue', 'vogue'])(
    '%s stays',
    (word) => {
      expect(foldSpelling(word)).toBe(word);
    },
  );

  it.each([
    ['colour', 'color'],
    ['organise my files', 'organize my files'],
    ['the centre of the colourful catalogue', 'the center of the colorful catalog'],
    ['appraise the appraisal', 'appraise the appraisal'],
  ])('"%s" and "%s" are the same search terms', (british, american) => {
    expect(tokenize(british)).toEqual(tokenize(american));
  });

  it('a word and its relatives still share a term', () => {
    expect(tokenize('appraised')).toEqual(tokenize('appraisal'));
    expect(tokenize('precise')).toEqual(tokenize('precisely'));
  });
});
