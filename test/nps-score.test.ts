import { describe, expect, it } from 'vitest';
import { parseNpsScore } from '../workflows/nps-score.js';

describe('parseNpsScore', () => {
  it.each([
    ['9', 9],
    ['10', 10],
    ['0', 0],
    [' 7 ', 7],
    ['9/10', 9],
    ['8 out of 10', 8],
    ["I'd give it 8", 8],
    ['my score is 6', 6],
    ['８', 8], // full-width
    ['٩', 9], // Arabic-Indic
    ['๗', 7], // Thai digit
    ['8分', 8],
    ['10 điểm', 10],
    ['9 คะแนน', 9],
    ['🔟', 10],
    ['7️⃣', 7],
    ['nine', 9],
    ['diez', 10],
    ['huit', 8],
    ['sete', 7],
    ['tám', 8],
    ['sembilan', 9],
    ['عشرة', 10],
    ['十', 10],
    ['เก้า', 9],
    ['ten!', 10],
    ['je donne 9', 9],
  ])('%s → %i', (text, score) => {
    expect(parseNpsScore(text)).toBe(score);
  });

  it.each(['11', '-1', 'where is my order 1234?', 'How long does shipping take?', '', 'ok', '3 or 4', 'I want to return 2 items'])(
    '"%s" is not a score',
    (text) => {
      expect(parseNpsScore(text)).toBeNull();
    },
  );
});

describe('parseNpsScore: Malay (issue 18, behind the nps-malay patch)', () => {
  it.each([
    ['lapan', 8],
    ['sifar', 0],
    ['bagi markah lapan', 8],
    ['saya bagi 9', 9],
    ['sembilan', 9],
  ])('%s → %i', (text, score) => expect(parseNpsScore(text, { malay: true })).toBe(score));

  it('unpatched conversations parse as they did; "delapan" stays Indonesian 8', () => {
    expect(parseNpsScore('lapan')).toBeNull();
    expect(parseNpsScore('delapan', { malay: true })).toBe(8);
    expect(parseNpsScore('bila barang sampai 8 hari', { malay: true })).toBeNull();
  });
});
