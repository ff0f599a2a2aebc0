/**
 * Reads artifact contents from an S3-compatible store (MinIO, SeaweedFS, AWS S3) the way KFP's UI does: path-style
 * `GET <endpoint>/<bucket>/<key>`, signed with AWS Signature V4 (aws4fetch). Size-capped: a HEAD first, and the body
 * is refused past `maxBytes`. The store's own error (its XML `<Code>`/`<Message>`) is what a failure says.
 */
import { XMLParser } from 'fast-xml-parser';
import { AwsClient } from 'aws4fetch';
import { CancelledError, UnreachableError } from '../http/transport';

export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;

export interface S3Location { bucket: string; key: string }
export interface S3Credentials { accessKeyId: string; secretAccessKey: string; region?: string }

/** `s3://bucket/key` (or `minio://…`, as KFP v1 wrote) → bucket and key; undefined for any other URI. */
export function parseS3Uri(uri: string): S3Location | undefined {
  const m = /^(?:s3|minio):\/\/([^/]+)\/(.+)$/.exec(uri);
  return m ? { bucket: m[1]!, key: m[2]! } : undefined;
}

/**
 * Where the store is: `minio-service.kubeflow:9000`, `name`, or `…svc[.cluster.local]` → an in-cluster Service
 * (reached through a port-forward); anything else (`s3.amazonaws.com`, an IP) → a URL.
 */
export function storeTarget(endpoint: string, defaultNamespace: string, tls: boolean): { service: { namespace: string; name: string; port: number } } | { url: string } {
  const m = /^(?:https?:\/\/)?([^/:]+)(?::(\d+))?\/?$/.exec(endpoint.trim());
  const asUrl = { url: /^https?:\/\//.test(endpoint) ? endpoint : `${tls ? 'https' : 'http'}://${endpoint}` };
  if (!m || /^[\d.]+$/.test(m[1]!)) return asUrl;
  const inCluster = /\.svc(\.cluster\.local)?$/.test(m[1]!);
  const labels = m[1]!.replace(/\.svc(\.cluster\.local)?$/, '').split('.');
  if (!inCluster && labels.length > 2) return asUrl;
  return { service: { namespace: labels[1] ?? defaultNamespace, name: labels[0]!, port: Number(m[2] ?? (tls ? 443 : 80)) } };
}

export class ObjectStoreError extends Error {
  constructor(message: string, readonly status?: number, readonly code?: string) {
    super(message);
    this.name = 'ObjectStoreError';
  }
}

export interface S3Object { bytes: Uint8Array; size: number; contentType?: string }
export interface S3Listing { objects: { key: string; size: number }[]; truncated: boolean }

export const DEFAULT_MAX_KEYS = 1000;

/** S3's XML answers (ListObjectsV2's ListBucketResult, an Error), values as text, entities decoded. */
const xml = new XMLParser({ ignoreAttributes: true, parseTagValue: false, htmlEntities: true, isArray: (name) => name === 'Contents' });

interface S3Xml {
  Error?: { Code?: string; Message?: string };
  ListBucketResult?: { Contents?: { Key?: string; Size?: string }[]; IsTruncated?: string; NextContinuationToken?: string };
}

/** The parsed body; an empty object for a body that is no XML (a proxy's HTML page, nothing). */
function parseXml(body: string): S3Xml {
  try {
    const doc: unknown = xml.parse(body);
    return doc && typeof doc === 'object' ? (doc as S3Xml) : {};
  } catch {
    return {};
  }
}

export class S3Reader {
  private readonly aws: AwsClient;

  /** `endpoint`: http(s)://host:port of the store (a forward's local end); `headers` go with every request unsigned-for-us (the forward's secret). */
  constructor(private readonly endpoint: string, creds: S3Credentials, private readonly headers: Record<string, string> = {}) {
    this.aws = new AwsClient({ accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey, service: 's3', region: creds.region || 'us-east-1' });
  }

  private url(loc: S3Location): string {
    return `${this.endpoint.replace(/\/+$/, '')}/${encodeURIComponent(loc.bucket)}/${loc.key.split('/').map(encodeURIComponent).join('/')}`;
  }

  private async send(method: 'GET' | 'HEAD', loc: S3Location, signal?: AbortSignal, url = this.url(loc)): Promise<Response> {
    try {
      return await this.aws.fetch(url, { method, headers: this.headers, ...(signal ? { signal } : {}) });
    } catch (err) {
      if (signal?.aborted) throw new CancelledError();
      throw new UnreachableError(`the object store at ${this.endpoint} did not answer (${(err as Error).message})`, err);
    }
  }

  private async refuse(res: Response, loc: S3Location): Promise<never> {
    const body = await res.text().catch(() => '');
    const { Code: code, Message: msg } = parseXml(body).Error ?? {};
    const what = `s3://${loc.bucket}/${loc.key}`;
    if (res.status === 404 || code === 'NoSuchKey') throw new ObjectStoreError(`${what} is not in the object store${code && code !== 'NoSuchKey' ? ` (${code})` : ''}. A directory artifact has no object of its own.`, res.status, code);
    throw new ObjectStoreError(`the object store refused ${what}: ${res.status}${code ? ` ${code}` : ''}${msg ? `: ${msg}` : ''}`, res.status, code);
  }

  /** The object, or an error when it is missing, refused or larger than `maxBytes`. */
  async get(loc: S3Location, o: { maxBytes?: number; signal?: AbortSignal } = {}): Promise<S3Object> {
    const max = o.maxBytes ?? DEFAULT_MAX_BYTES;
    const head = await this.send('HEAD', loc, o.signal);
    // a HEAD answer has no body: a refusal's code and message come with a GET
    if (!head.ok) {
      const why = head.status === 404 ? head : await this.send('GET', loc, o.signal);
      await this.refuse(why.ok ? head : why, loc);
    }
    const size = Number(head.headers.get('content-length') ?? NaN);
    if (size > max) throw new ObjectStoreError(`s3://${loc.bucket}/${loc.key} is ${formatBytes(size)}, over the ${formatBytes(max)} the editor reads (Download saves it whole).`, 413, 'TooLarge');
    const res = await this.send('GET', loc, o.signal);
    if (!res.ok) await this.refuse(res, loc);
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (bytes.length > max) throw new ObjectStoreError(`s3://${loc.bucket}/${loc.key} is over the ${formatBytes(max)} the editor reads.`, 413, 'TooLarge');
    const type = res.headers.get('content-type');
    return { bytes, size: bytes.length, ...(type ? { contentType: type } : {}) };
  }

  /**
   * The objects under a directory artifact's prefix (ListObjectsV2, page by page), keys relative to the bucket;
   * at most `maxKeys` (then `truncated`). An empty listing is an error: the artifact wrote nothing there.
   */
  async list(dir: S3Location, o: { maxKeys?: number; signal?: AbortSignal } = {}): Promise<S3Listing> {
    const max = o.maxKeys ?? DEFAULT_MAX_KEYS;
    const prefix = dir.key.replace(/\/*$/, '/');
    const objects: S3Listing['objects'] = [];
    let token: string | undefined;
    for (;;) {
      const q = new URLSearchParams({ 'list-type': '2', prefix, 'max-keys': String(Math.min(1000, max - objects.length + 1)) });
      if (token) q.set('continuation-token', token);
      const url = `${this.endpoint.replace(/\/+$/, '')}/${encodeURIComponent(dir.bucket)}?${q.toString()}`;
      const res = await this.send('GET', dir, o.signal, url);
      if (!res.ok) await this.refuse(res, { bucket: dir.bucket, key: prefix });
      const listed = parseXml(await res.text()).ListBucketResult;
      if (!listed) throw new ObjectStoreError(`the object store's listing of s3://${dir.bucket}/${prefix} is no ListBucketResult`, res.status, 'BadListing');
      for (const c of listed.Contents ?? []) {
        if (c.Key !== undefined) objects.push({ key: String(c.Key), size: Number(c.Size ?? 0) });
      }
      if (objects.length > max) return { objects: objects.slice(0, max), truncated: true };
      token = listed.IsTruncated === 'true' && listed.NextContinuationToken ? String(listed.NextContinuationToken) : undefined;
      if (!token) break;
    }
    if (!objects.length) throw new ObjectStoreError(`s3://${dir.bucket}/${prefix} holds no objects: the artifact wrote nothing there.`, 404, 'EmptyPrefix');
    return { objects, truncated: false };
  }
}

/**
 * A listed directory artifact as files of a local folder: each key relative to the prefix, split into path segments
 * (folder markers, keys ending in `/`, are skipped).
 * A key whose relative path is empty or climbs out (`..`, `.`, empty segments) is refused, not written elsewhere.
 */
export function folderFiles(dir: S3Location, listing: S3Listing): { key: string; size: number; segments: string[] }[] {
  const prefix = dir.key.replace(/\/*$/, '/');
  return listing.objects.filter((o) => !o.key.endsWith('/')).map((o) => {
    const segments = o.key.startsWith(prefix) ? o.key.slice(prefix.length).split('/') : [];
    if (!segments.length || segments.some((s) => s === '' || s === '.' || s === '..' || s.includes('\\'))) {
      throw new ObjectStoreError(`s3://${dir.bucket}/${o.key} is not a file path under ${prefix}: the folder is not saved.`, undefined, 'BadKey');
    }
    return { ...o, segments };
  });
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}
