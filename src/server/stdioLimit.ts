/**
 * A size limit on stdio messages that keeps the session alive. The SDK's stdio transport closes
 * the connection for good when one line exceeds its 10 MB buffer; this filter sits between stdin
 * and the transport, passes every line up to the limit through unchanged, and drops a longer one,
 * answering it with a JSON-RPC error (for the request's id when the line starts with it, else
 * null) so the client is not left waiting. See docs/security.md "Arguments".
 */
import { Transform, type Writable } from 'node:stream';

/** Well above the 1 MiB of tool arguments accepted, well below the SDK transport's 10 MB. */
const MAX_STDIO_MESSAGE_BYTES = 4 * 1024 * 1024;

/** `{"jsonrpc":"2.0","id":…` or `{"id":…` at the very start: the id of a top-level request. */
const LEADING_ID = /^\s*\{\s*(?:"jsonrpc"\s*:\s*"2\.0"\s*,\s*)?"id"\s*:\s*(-?\d{1,15}|"(?:[^"\\\x00-\x1f]|\\.){0,200}")\s*[,}]/;

export function limitStdioMessages(output: Writable, onDrop: (bytes: number) => void, maxBytes = MAX_STDIO_MESSAGE_BYTES): Transform {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  /** Bytes of the line being dropped, or -1 when not dropping. */
  let dropped = -1;

  const refuse = (head: Buffer) => {
    const m = LEADING_ID.exec(head.toString('utf8'));
    const id: unknown = m ? JSON.parse(m[1]!) : null;
    const error = {
      code: -32600,
      message: `Message larger than ${maxBytes} bytes refused; nothing was done. Send smaller requests: tool arguments are limited to 1 MiB.`,
    };
    output.write(`${JSON.stringify({ jsonrpc: '2.0', id, error })}\n`);
  };

  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      let from = 0;
      while (from < chunk.length) {
        const nl = chunk.indexOf(0x0a, from);
        const end = nl === -1 ? chunk.length : nl + 1;
        const piece = chunk.subarray(from, end);
        from = end;
        if (dropped >= 0) {
          dropped += piece.length;
        } else if (pendingBytes + piece.length > maxBytes + 1) {
          // Too long: answer now (the head names the request) and skip to the next newline.
          refuse(Buffer.concat([...pending, piece], Math.min(512, pendingBytes + piece.length)));
          dropped = pendingBytes + piece.length;
          pending = [];
          pendingBytes = 0;
        } else {
          pending.push(piece);
          pendingBytes += piece.length;
        }
        if (nl === -1) break;
        if (dropped >= 0) {
          onDrop(dropped);
          dropped = -1;
        } else {
          this.push(Buffer.concat(pending));
          pending = [];
          pendingBytes = 0;
        }
      }
      done();
    },
    flush(done) {
      if (pendingBytes) this.push(Buffer.concat(pending));
      done();
    },
  });
}
