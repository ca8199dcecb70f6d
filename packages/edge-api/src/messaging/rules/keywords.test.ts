import { describe, expect, it } from 'vitest';
import {
  classifyInbound,
  HELP_KEYWORDS,
  helpReply,
  OPT_IN_KEYWORDS,
  OPT_OUT_KEYWORDS,
} from './keywords.js';

describe('classifyInbound', () => {
  it('knows every keyword, in capitals, lower case and mixed', () => {
    const cases: [readonly string[], string][] = [
      [OPT_OUT_KEYWORDS, 'opt_out'],
      [OPT_IN_KEYWORDS, 'opt_in'],
      [HELP_KEYWORDS, 'help'],
    ];
    expect(OPT_OUT_KEYWORDS).toEqual([
      'STOP',
      'STOPALL',
      'UNSUBSCRIBE',
      'END',
      'QUIT',
      'CANCEL',
      'OPTOUT',
      'REVOKE',
    ]);
    expect(OPT_IN_KEYWORDS).toEqual(['START', 'UNSTOP', 'YES']);
    expect(HELP_KEYWORDS).toEqual(['HELP']);
    for (const [keywords, kind] of cases) {
      for (const keyword of keywords) {
        const mixed = [...keyword].map((c, i) => (i % 2 ? c.toLowerCase() : c)).join('');
        for (const body of [keyword, keyword.toLowerCase(), mixed]) {
          expect([body, classifyInbound(body)]).toEqual([body, kind]);
        }
      }
    }
  });

  it('ignores surrounding spaces, tabs and line breaks', () => {
    expect(classifyInbound('  stop  ')).toBe('opt_out');
    expect(classifyInbound('\nStop\r\n')).toBe('opt_out');
    expect(classifyInbound('\t START \n')).toBe('opt_in');
    expect(classifyInbound('\u00a0help\u00a0')).toBe('help');
  });

  it('reads a keyword only as the whole message', () => {
    for (const body of [
      'stop please',
      'please stop',
      'STOP ALL',
      'S T O P',
      'stopp',
      'yes please',
      'Yes, Tuesday works',
      'help me with my application',
      'I want to cancel my interview',
      'start date?',
    ]) {
      expect([body, classifyInbound(body)]).toEqual([body, 'message']);
    }
  });

  it('forgives punctuation around an opt-out, not around opt-in or HELP', () => {
    for (const body of [
      'STOP.',
      'Stop!',
      'stop!!!',
      '"STOP"',
      '«stop»',
      '¡Stop!',
      '  Unsubscribe.\n',
    ]) {
      expect([body, classifyInbound(body)]).toEqual([body, 'opt_out']);
    }
    for (const body of ['Yes.', 'YES!', 'Start.', 'help?', 'HELP!']) {
      expect([body, classifyInbound(body)]).toEqual([body, 'message']);
    }
    // Punctuation inside the word is not "around" it.
    expect(classifyInbound('OPT-OUT')).toBe('message');
    expect(classifyInbound('st.op')).toBe('message');
  });

  it('reads an empty or blank body as a message', () => {
    expect(classifyInbound('')).toBe('message');
    expect(classifyInbound('   \n ')).toBe('message');
    expect(classifyInbound('...')).toBe('message');
  });
});

describe('helpReply', () => {
  it('names the organisation and how to stop', () => {
    expect(helpReply('Acme Staffing')).toBe(
      'Acme Staffing: messages about your job applications. Reply STOP to opt out, START to opt back in.',
    );
    expect(helpReply('  Acme  ')).toMatch(/^Acme: /);
  });

  it('still says how to stop without a name', () => {
    expect(helpReply('  ')).toBe(
      'This organisation: messages about your job applications. Reply STOP to opt out, START to opt back in.',
    );
    expect(helpReply('')).toContain('Reply STOP to opt out');
  });
});
