import { describe, expect, it } from 'vitest';
import { textTable } from '../../src/ui/table.js';

describe('textTable', () => {
  it('pads each column to its widest cell, two spaces apart, with no trailing spaces', () => {
    expect(
      textTable(
        ['wave', 'service', 'alias'],
        [
          ['1', 'payments', 'payments.local:5000'],
          ['2', 'products-long-name', '-'],
        ],
      ),
    ).toEqual(['wave  service             alias', '1     payments            payments.local:5000', '2     products-long-name  -']);
  });

  it('a header alone when there are no rows', () => {
    expect(textTable(['a', 'bb'], [])).toEqual(['a  bb']);
  });
});
