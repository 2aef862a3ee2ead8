'use strict';
// Babel and V8 count UTF-16 code units; the wire contract counts UTF-8 bytes
// and '\n'-separated 1-based lines of the original program.

class Positions {
  constructor(source) {
    this.source = source;
    const n = source.length;
    this.bytes = new Uint32Array(n + 1);   // UTF-16 index -> UTF-8 byte offset
    this.lineStarts = [0];                  // UTF-16 index of each line start
    let b = 0;
    for (let i = 0; i < n; i++) {
      this.bytes[i] = b;
      const c = source.charCodeAt(i);
      if (c < 0x80) b += 1;
      else if (c < 0x800) b += 2;
      else if (c >= 0xd800 && c <= 0xdbff && i + 1 < n &&
               source.charCodeAt(i + 1) >= 0xdc00 && source.charCodeAt(i + 1) <= 0xdfff) {
        // A surrogate pair is one 4-byte character; its second unit maps to the same start.
        this.bytes[i + 1] = b;
        b += 4;
        i++;
      } else b += 3;
      if (c === 10) this.lineStarts.push(i + 1);
    }
    this.bytes[n] = b;
  }

  byteOf(index) {
    return this.bytes[Math.max(0, Math.min(index, this.source.length))];
  }

  // 0-based line index of a UTF-16 offset.
  lineIndex(index) {
    let lo = 0, hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= index) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  // The kit's explicit RANGE [sb, eb, sl, el, sc, ec] of UTF-16 [start, end).
  range(start, end) {
    const sl = this.lineIndex(start), el = this.lineIndex(end);
    return [this.byteOf(start), this.byteOf(end), sl + 1, el + 1,
      this.byteOf(start) - this.byteOf(this.lineStarts[sl]), this.byteOf(end) - this.byteOf(this.lineStarts[el])];
  }

  // UTF-16 offset of a 1-based line and a 0-based UTF-16 column (V8/Babel convention).
  offsetOf(line, column) {
    const ls = this.lineStarts[Math.max(0, Math.min(line - 1, this.lineStarts.length - 1))];
    return Math.min(ls + Math.max(0, column), this.source.length);
  }

  // A range spanning from `start` to `end` with trailing whitespace trimmed.
  trimmedEnd(start, end) {
    while (end > start && /\s/.test(this.source[end - 1])) end--;
    return end;
  }
}

module.exports = { Positions };
