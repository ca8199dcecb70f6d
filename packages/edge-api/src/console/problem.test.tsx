// The console's Problem box speaks to a recruiter, not to a developer: a headline in words by what
// the API answered, its message and each issue, with the status and code kept out of the text
// (on the element, for support).
import { describe, expect, it } from 'vitest';
import { ApiError } from '../client/index.js';
import { Problem } from './layout.js';

function problem(status: number, code: string, issues: ApiError['issues'] = []): ApiError {
  return new ApiError(status, code, 'The campaign has no name.', issues);
}

async function render(error: ApiError): Promise<{ html: string; text: string }> {
  const html = String(await (<Problem problem={error} />).toString());
  return { html, text: html.replace(/<[^>]+>/g, '') };
}

describe('Problem', () => {
  it('says what was wrong in words, each issue too, without the status or the code', async () => {
    const { html, text } = await render(
      problem(400, 'invalid_request', [{ path: 'name', code: 'required', message: 'is required' }]),
    );
    expect(text).toContain('This was not done.');
    expect(text).toContain('The campaign has no name.');
    expect(text).toContain('name: is required');
    expect(text).not.toMatch(/400|invalid_request|refused/);
    expect(html).toContain('data-status="400"');
    expect(html).toContain('data-code="invalid_request"');
  });

  it('heads each kind of failure with what the reader can do', async () => {
    expect((await render(problem(403, 'forbidden'))).text).toContain('Your role cannot do this.');
    expect((await render(problem(401, 'unauthorized'))).text).toContain('Sign in again.');
    expect((await render(problem(404, 'campaign_not_found'))).text).toContain('Not found.');
    expect((await render(problem(429, 'rate_limited'))).text).toContain('Try again in a minute.');
    expect((await render(problem(503, 'unavailable'))).text).toContain(
      'Something went wrong on our side',
    );
  });
});
