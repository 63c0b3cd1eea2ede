const LF = 0x0a;
const CR = 0x0d;

/** The line without the CR of a CRLF ending. */
function withoutCr(line: Buffer): Buffer {
  return line.length > 0 && line[line.length - 1] === CR ? line.subarray(0, -1) : line;
}

/**
 * Splits a byte stream into lines, as the bytes they were: never decoded, so a replayed line
 * reaches the parser exactly as a Kafka message with the same bytes reaches ingest. A line ends
 * at LF; the CR of a CRLF is dropped (JSON whitespace either way, but it would count against the
 * message size limit). A lone CR does not end a line (readline would split there, cutting an
 * event that ingest accepts in two). Lines within a chunk are views into it; a line that spans
 * chunks is copied once.
 */
export class LineSplitter {
  /** The start of a line whose end has not been seen yet, one piece per chunk. */
  private carried: Buffer[] = [];

  /** The lines that `chunk` completes, in order. */
  push(chunk: Buffer): Buffer[] {
    const lines: Buffer[] = [];
    let start = 0;
    for (let end = chunk.indexOf(LF); end !== -1; end = chunk.indexOf(LF, start)) {
      let line = chunk.subarray(start, end);
      if (this.carried.length > 0) {
        this.carried.push(line);
        line = Buffer.concat(this.carried);
        this.carried = [];
      }
      lines.push(withoutCr(line));
      start = end + 1;
    }
    if (start < chunk.length) this.carried.push(chunk.subarray(start));
    return lines;
  }

  /** The last line, when the stream did not end with a newline. */
  end(): Buffer | undefined {
    if (this.carried.length === 0) return undefined;
    const line = Buffer.concat(this.carried);
    this.carried = [];
    return withoutCr(line);
  }
}

/** True for a line of nothing but JSON whitespace: skipped, as between NDJSON records. */
export function isBlankLine(line: Buffer): boolean {
  for (const byte of line) {
    if (byte !== 0x20 && byte !== 0x09 && byte !== CR) return false;
  }
  return true;
}
