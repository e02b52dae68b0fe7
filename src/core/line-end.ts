// Where a line ends without its "\r": a log written with CRLF line ends reads as one written with
// LF, as fail2ban reads it (it strips "\r\n" from each line). One rule for every reader of bytes.

/** The end of the line bytes[start, nl) whose "\n" is at `nl`: before a "\r" there, if any. */
export function endBeforeCr(bytes: Uint8Array, start: number, nl: number): number {
  return nl > start && bytes[nl - 1] === 0x0d ? nl - 1 : nl;
}
