import { describe, expect, it } from 'vitest';
import { httpOrigin, storedPageUrl } from './page-urls.js';

describe('page URLs', () => {
  it('strip the identity token, campaign parameters and the fragment, keeping the rest', () => {
    expect(
      storedPageUrl(
        'https://jobs.example/a?cxm_t=tok.sig&utm_source=x&UTM_Medium=y&fbclid=1&job=42#apply',
      ),
    ).toBe('https://jobs.example/a?job=42');
    expect(storedPageUrl('https://user:pw@jobs.example/a?')).toBe('https://jobs.example/a');
  });

  it('only http(s) URLs have an origin', () => {
    expect(httpOrigin('http://localhost:8080/x')).toBe('http://localhost:8080');
    expect(httpOrigin('javascript:alert(1)')).toBeNull();
    expect(httpOrigin('not a url')).toBeNull();
  });
});
