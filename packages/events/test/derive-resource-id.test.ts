import { describe, expect, it } from 'vitest';

import { deriveResourceId } from '../src/index.js';

describe('deriveResourceId with a route', () => {
  it.each([
    ['/v1/invoices/inv_004512', '/v1/invoices/{invoice_id}', 'inv_004512'],
    ['/v1/invoices/inv_1?expand=lines&x=/y/2', '/v1/invoices/{id}', 'inv_1'],
    ['/v1/invoices/inv_1#section/2', '/v1/invoices/{id}', 'inv_1'],
    ['/v1/invoices/inv_1/lines', '/v1/invoices/{id}/lines', 'inv_1'],
    [
      '/v1/accounts/acct_1/invoices/inv_2',
      '/v1/accounts/{account_id}/invoices/{invoice_id}',
      'inv_2',
    ],
    ['/v1/accounts/acct_1/invoices/inv_2/lines', '/v1/accounts/{a}/invoices/{i}/lines', 'inv_2'],
    ['/v1/invoices/inv_1', '/v1/invoices/:id', 'inv_1'],
    ['/v1/invoices/inv_1.json', '/v1/invoices/{id}.json', 'inv_1'],
    ['/v1/invoices/pre-inv_1', '/v1/invoices/pre-{id}', 'inv_1'],
    ['/v1/invoices/inv_1.pdf', '/v1/invoices/{id}.json', 'inv_1.pdf'],
    ['/v1/files/report.tar.gz', '/v1/files/{name}.{ext}', 'report.tar.gz'],
  ])('%s on %s → %s', (path, route, expected) => {
    expect(deriveResourceId(path, route)).toBe(expected);
  });

  it('trusts the route even when the segment does not look like an ID', () => {
    expect(deriveResourceId('/v1/users/me', '/v1/users/{user_id}')).toBe('me');
    expect(deriveResourceId('/v1/customers/acme', '/v1/customers/{slug}')).toBe('acme');
  });

  it('ignores empty segments on both sides', () => {
    expect(deriveResourceId('//v1//invoices//inv_1//', '/v1/invoices/{id}/')).toBe('inv_1');
  });

  it('aligns a longer path by its end when the route omits a mount prefix', () => {
    expect(deriveResourceId('/api/v1/invoices/inv_1', '/v1/invoices/{id}')).toBe('inv_1');
    expect(deriveResourceId('/eu/api/v1/invoices/inv_1/lines', '/invoices/{id}/lines')).toBe(
      'inv_1',
    );
  });

  it('compares literal segments ASCII case-insensitively when aligning by the end', () => {
    expect(deriveResourceId('/API/V1/Invoices/inv_1', '/v1/invoices/{id}')).toBe('inv_1');
  });

  it('falls back to the heuristic when the literals do not align', () => {
    // A greedy parameter: the route cannot be aligned segment by segment.
    expect(deriveResourceId('/files/2024/q1/report7.pdf', '/files/{path+}')).toBe('report7.pdf');
    expect(deriveResourceId('/v2/orders/ord_9/items', '/v1/invoices/{id}')).toBe('ord_9');
  });

  it('falls back to the heuristic when the path is shorter than the route', () => {
    expect(deriveResourceId('/v1/inv_7', '/v1/invoices/{id}')).toBe('inv_7');
  });

  it('falls back to the heuristic when the route has no parameter', () => {
    expect(deriveResourceId('/v1/invoices/inv_3', '/v1/invoices/upcoming')).toBe('inv_3');
    expect(deriveResourceId('/v1/invoices/upcoming', '/v1/invoices/upcoming')).toBeNull();
    expect(deriveResourceId('/v1/x/inv_3', '/v1/x/{unclosed')).toBe('inv_3');
  });

  it('ignores a query string in the route', () => {
    expect(deriveResourceId('/v1/invoices/inv_1', '/v1/invoices/{id}?expand={x}')).toBe('inv_1');
  });
});

describe('deriveResourceId without a route', () => {
  it.each([
    ['/v1/invoices/inv_004512', 'inv_004512'],
    ['/v1/invoices/inv_004512?limit=10', 'inv_004512'],
    ['/v1/users/123/avatar.png', '123'],
    ['/v1/accounts/acct_1/invoices/inv_2', 'inv_2'],
    ['/v1/accounts/acct_1/invoices', 'acct_1'],
    ['/v2024-01/customers/cus_NffrFeUfNV2Hib/sources', 'cus_NffrFeUfNV2Hib'],
    ['/v1/customers/cus_NffrFeUfNVHib', 'cus_NffrFeUfNVHib'],
    ['/v1/docs/3f2a9c1e-8b7d-4e6f-a5c3-2d1b0e9f8a7c', '3f2a9c1e-8b7d-4e6f-a5c3-2d1b0e9f8a7c'],
    ['/v1/subs/01HX3K9V7Q2M8N4P6R5T0W1Y2Z', '01HX3K9V7Q2M8N4P6R5T0W1Y2Z'],
    ['/v1beta1/projects/my-proj/instances/inst-42', 'inst-42'],
    ['/api/v1.2/orders/42', '42'],
    ['/V3/orders/42/v2', '42'],
    ['/v1/items/v1x2', 'v1x2'],
    ['/v2preview3/items', null],
    ['/v1_1/items/v2/', null],
    [
      '/2010-04-01/Accounts/ACa1b2c3d4e5f60718293a4b5c6d7e8f90.json',
      'ACa1b2c3d4e5f60718293a4b5c6d7e8f90.json',
    ],
    ['inv_5', 'inv_5'],
    ['/reports/2024/summary', '2024'],
  ])('%s → %s', (path, expected) => {
    expect(deriveResourceId(path, null)).toBe(expected);
  });

  it.each([
    '/v1/invoices',
    '/v1/payment_methods',
    '/api/v2/',
    '/v1beta1/projects',
    '/health',
    '/',
    '',
    '?id=inv_1',
    '#inv_1',
  ])('finds no ID in %j', (path) => {
    expect(deriveResourceId(path, null)).toBeNull();
  });
});

describe('deriveResourceId decoding', () => {
  it('URL-decodes the segment', () => {
    expect(deriveResourceId('/v1/files/inv%5F1%2Fpart', null)).toBe('inv_1/part');
    expect(deriveResourceId('/v1/files/%E6%97%A5%E6%9C%AC1', '/v1/files/{id}')).toBe('日本1');
    expect(deriveResourceId('/v1/files/a%20b1', null)).toBe('a b1');
  });

  it('does not turn + into a space (that is form encoding, not path encoding)', () => {
    expect(deriveResourceId('/v1/files/a+b1', null)).toBe('a+b1');
  });

  it('keeps a malformed segment raw', () => {
    expect(deriveResourceId('/v1/files/bad%E0%A41', null)).toBe('bad%E0%A41');
    expect(deriveResourceId('/v1/files/100%', null)).toBe('100%');
    expect(deriveResourceId('/v1/files/x%ZZ1', '/v1/files/{id}')).toBe('x%ZZ1');
  });

  it('decodes hostile content verbatim', () => {
    expect(deriveResourceId('/v1/invoices/inv_1%27%20OR%20%271%27%3D%271', null)).toBe(
      "inv_1' OR '1'='1",
    );
    expect(deriveResourceId('/v1/invoices/inv_1%00', null)).toBe('inv_1\u0000');
  });

  it('bounds a derived ID to 1024 chars without splitting a surrogate pair', () => {
    expect(deriveResourceId(`/v1/f/${'9'.repeat(5000)}`, null)).toBe('9'.repeat(1024));
    const id = deriveResourceId(`/v1/f/${'1'.repeat(1023)}😀`, null);
    expect(id).toBe('1'.repeat(1023));
  });

  it('is not confused by earlier calls (shared scratch state)', () => {
    expect(deriveResourceId('/a/1/b/2/c/3/d/4/e/5', '/a/{a}/b/{b}/c/{c}/d/{d}/e/{e}')).toBe('5');
    expect(deriveResourceId('/x/9', '/x/{x}')).toBe('9');
    expect(deriveResourceId('/x/9', null)).toBe('9');
  });
});
