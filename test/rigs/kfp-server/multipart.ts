// multipart/form-data parsing for the upload endpoints (RFC 7578): enough for browsers, curl, the kfp SDK and undici's
// FormData. Parts are split on the boundary in the raw bytes, so file contents stay binary-exact.

export interface FormPart {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

export class MultipartError extends Error {}

export function boundaryOf(contentType: string | undefined): string | undefined {
  if (!contentType || !/^multipart\/form-data\b/i.test(contentType)) return undefined;
  const m = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m ? (m[1] ?? m[2]) : undefined;
}

export function parseMultipart(body: Buffer, boundary: string): FormPart[] {
  const delim = Buffer.from(`--${boundary}`);
  const parts: FormPart[] = [];
  let pos = body.indexOf(delim);
  if (pos < 0) throw new MultipartError('multipart: NextPart: EOF');
  for (;;) {
    pos += delim.length;
    if (body.subarray(pos, pos + 2).toString() === '--') break; // closing delimiter
    if (body.subarray(pos, pos + 2).toString() === '\r\n') pos += 2;
    else if (body[pos] === 0x0a) pos += 1;
    const next = body.indexOf(delim, pos);
    if (next < 0) throw new MultipartError('multipart: NextPart: EOF');
    let end = next;
    if (body[end - 1] === 0x0a) end--;
    if (body[end - 1] === 0x0d) end--;
    const chunk = body.subarray(pos, end);
    let headerEnd = chunk.indexOf('\r\n\r\n');
    let sepLen = 4;
    if (headerEnd < 0) { headerEnd = chunk.indexOf('\n\n'); sepLen = 2; }
    if (headerEnd < 0) throw new MultipartError('multipart: malformed part headers');
    const headers = chunk.subarray(0, headerEnd).toString('utf8').split(/\r?\n/);
    const part: FormPart = { name: '', data: chunk.subarray(headerEnd + sepLen) };
    for (const h of headers) {
      const i = h.indexOf(':');
      if (i < 0) continue;
      const key = h.slice(0, i).trim().toLowerCase();
      const value = h.slice(i + 1).trim();
      if (key === 'content-disposition') {
        part.name = /\bname="([^"]*)"/i.exec(value)?.[1] ?? /\bname=([^;\s]+)/i.exec(value)?.[1] ?? '';
        const fn = /\bfilename\*=UTF-8''([^;]+)/i.exec(value)?.[1];
        part.filename = fn ? decodeURIComponent(fn) : (/\bfilename="([^"]*)"/i.exec(value)?.[1] ?? /\bfilename=([^;\s]+)/i.exec(value)?.[1]);
      } else if (key === 'content-type') {
        part.contentType = value;
      }
    }
    parts.push(part);
    pos = next;
  }
  return parts;
}
