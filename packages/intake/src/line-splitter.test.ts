import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { isBlankLine, LineSplitter } from './line-splitter.js';

/** Every line of `chunks`, as text (the splitter's output is bytes). */
function split(chunks: readonly (string | Buffer)[]): string[] {
  const splitter = new LineSplitter();
  const lines: Buffer[] = [];
  for (const chunk of chunks) lines.push(...splitter.push(Buffer.from(chunk)));
  const last = splitter.end();
  if (last !== undefined) lines.push(last);
  return lines.map((line) => line.toString('latin1'));
}

/** `text` cut into chunks of `size` bytes. */
function chunked(text: string | Buffer, size: number): Buffer[] {
  const bytes = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length; i += size) chunks.push(bytes.subarray(i, i + size));
  return chunks;
}

describe('LineSplitter', () => {
  it('splits on LF and drops the CR of a CRLF', () => {
    expect(split(['a\nb\r\nc\n'])).toEqual(['a', 'b', 'c']);
  });

  it('keeps a lone CR inside a line (JSON whitespace, not a line end)', () => {
    expect(split(['{"a":1,\r"b":2}\n'])).toEqual(['{"a":1,\r"b":2}']);
  });

  it('gives the last line without a newline', () => {
    expect(split(['a\nb'])).toEqual(['a', 'b']);
    expect(split(['a\r\nb\r'])).toEqual(['a', 'b']);
    expect(split(['only'])).toEqual(['only']);
  });

  it('gives nothing for an empty stream and no extra line after a final newline', () => {
    expect(split([])).toEqual([]);
    expect(split([''])).toEqual([]);
    expect(split(['a\n'])).toEqual(['a']);
  });

  it('keeps empty lines, so that line numbers stay right', () => {
    expect(split(['\n\na\n\r\n\nb\n'])).toEqual(['', '', 'a', '', '', 'b']);
  });

  it('joins lines longer than a chunk, and CRLFs cut between chunks', () => {
    const long = 'x'.repeat(100_000);
    const text = `${long}\r\nshort\n${long}y\r\n\r\nz`;
    const expected = [long, 'short', `${long}y`, '', 'z'];
    for (const size of [1, 2, 3, 7, 64, 65_536, 1_000_000]) {
      expect(split(chunked(text, size)), `chunks of ${size}`).toEqual(expected);
    }
  });

  it('returns the bytes as they were, multi-byte characters cut between chunks included', () => {
    const bytes = Buffer.concat([
      Buffer.from('{"id":"é€😀"}\n', 'utf8'),
      Buffer.from([0xff, 0xfe, 0x00, 0xed, 0xa0, 0x80, 0x0a]),
      Buffer.from('{"id":"\\ud800"}', 'utf8'),
    ]);
    const splitter = new LineSplitter();
    const lines: Buffer[] = [];
    for (const chunk of chunked(bytes, 3)) lines.push(...splitter.push(chunk));
    lines.push(splitter.end()!);
    expect(Buffer.concat(lines.flatMap((line) => [line, Buffer.from('\n')]))).toEqual(
      Buffer.concat([bytes, Buffer.from('\n')]),
    );
  });

  it('splits a file-like stream read with a small highWaterMark', async () => {
    const text = Array.from({ length: 500 }, (_, i) => `{"n":${i},"pad":"${'p'.repeat(i)}"}`).join(
      '\r\n',
    );
    const splitter = new LineSplitter();
    const lines: Buffer[] = [];
    for await (const chunk of Readable.from(chunked(text, 97)))
      lines.push(...splitter.push(chunk as Buffer));
    const last = splitter.end();
    if (last !== undefined) lines.push(last);
    expect(
      lines.map((line) => JSON.parse(line.toString('utf8')) as { n: number }).map((e) => e.n),
    ).toEqual(Array.from({ length: 500 }, (_, i) => i));
  });
});

describe('isBlankLine', () => {
  it('is true for nothing but spaces, tabs and CRs', () => {
    expect(isBlankLine(Buffer.from(''))).toBe(true);
    expect(isBlankLine(Buffer.from(' \t\r '))).toBe(true);
    expect(isBlankLine(Buffer.from(' {} '))).toBe(false);
    expect(isBlankLine(Buffer.from('\u00a0'))).toBe(false);
  });
});
