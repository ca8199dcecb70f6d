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

  it('drop parameters that look like personal data or free text, keeping page identifiers', () => {
    const personal = [
      'email=a%40b.example',
      'E-Mail=x',
      'mail=x',
      'phone=1',
      'Tel=1',
      'mobile=1',
      'name=Ada',
      'first_name=Ada',
      'firstname=Ada',
      'LAST_NAME=L',
      'lastname=L',
      'fullname=Ada+L',
      'password=pw',
      'pass=pw',
      'pwd=pw',
      'q=nurse+berlin',
      'Query=x',
      'search=x',
      's=x',
      'message=hello',
      'comment=hi',
      'contact%5Bemail%5D=x',
      'user_phone=1',
      'applicant-first-name=Ada',
      'ref=ada%40example.com',
    ];
    const url = `https://jobs.example/search?id=123&${personal.join('&')}&job=42&page=2&lang=de`;
    expect(storedPageUrl(url)).toBe('https://jobs.example/search?id=123&job=42&page=2&lang=de');
    expect(storedPageUrl('https://jobs.example/jobs?id=123')).toBe(
      'https://jobs.example/jobs?id=123',
    );
    // Names that merely contain those letters are not personal data.
    expect(storedPageUrl('https://jobs.example/a?sort=date&status=open&team=ops&source=web')).toBe(
      'https://jobs.example/a?sort=date&status=open&team=ops&source=web',
    );
  });

  it('only http(s) URLs have an origin', () => {
    expect(httpOrigin('http://localhost:8080/x')).toBe('http://localhost:8080');
    expect(httpOrigin('javascript:alert(1)')).toBeNull();
    expect(httpOrigin('not a url')).toBeNull();
  });
});
