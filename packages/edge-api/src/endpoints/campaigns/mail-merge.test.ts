import { describe, expect, it } from 'vitest';
import { mergeMessage, NO_FIRST_NAME } from './mail-merge.js';

const LINK = 'https://api.example.com/v1/m/q3Jx0c9Tn1bW4hAe';

describe('mergeMessage', () => {
  it('puts in the first name and the candidate’s own link, every time they appear', () => {
    expect(
      mergeMessage('Hi {{firstName}}! New roles: {{url}} (again: {{url}})', {
        firstName: 'Amara',
        link: LINK,
      }),
    ).toBe(`Hi Amara! New roles: ${LINK} (again: ${LINK})`);
  });

  it('says "there" for a candidate without a first name (or a blank one)', () => {
    for (const firstName of [null, '', '   ']) {
      expect(mergeMessage('Hi {{firstName}},', { firstName, link: null })).toBe(
        `Hi ${NO_FIRST_NAME},`,
      );
    }
  });

  it('leaves other braces alone: they are the text, not fields', () => {
    expect(mergeMessage('Use code {{SPRING}} or {firstName}', { firstName: 'A', link: null })).toBe(
      'Use code {{SPRING}} or {firstName}',
    );
  });

  it('does not merge a first name that itself looks like a field', () => {
    expect(mergeMessage('Hi {{firstName}}', { firstName: '{{url}}', link: LINK })).toBe(
      'Hi {{url}}',
    );
  });
});
