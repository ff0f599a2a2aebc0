/**
 * Checks a KServe `storageUri` before it reaches the cluster, with a message that says what is wrong and, where there
 * is an obvious fix, the fixed URI. The schemes KServe's storage initializer reads: `s3://`, `gs://`, `pvc://`,
 * `oci://` (modelcars), `hf://` (Hugging Face Hub), `http(s)://` (a file or an archive; Azure Blob URLs are https).
 */

export type StorageScheme = 's3' | 'gs' | 'pvc' | 'oci' | 'hf' | 'https' | 'http' | 'model-registry';

export type StorageCheck =
  | { ok: true; scheme: StorageScheme; /** A remark that does not block (e.g. plain http). */ note?: string }
  | { ok: false; message: string; /** The URI the user probably meant. */ suggestion?: string };

export const STORAGE_SCHEMES: readonly StorageScheme[] = ['s3', 'gs', 'pvc', 'oci', 'hf', 'https', 'http'];

const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** registry host[:port]/repo[/more][:tag|@sha256:hex] */
const OCI = /^[a-z0-9.-]+(:\d+)?\/[a-z0-9._/-]+?(:[\w][\w.-]{0,127}|@sha256:[a-f0-9]{64})?$/i;
const HF = /^[\w.-]+\/[\w.-]+(:[\w.-]+)?$/;

export function checkStorageUri(input: string): StorageCheck {
  const uri = input.trim();
  if (!uri) return { ok: false, message: 'The storage URI is empty: say where the model files are (s3://bucket/path, gs://, pvc://claim/path, oci://, hf://org/model, https://).' };
  if (/\s/.test(uri)) return { ok: false, message: `The storage URI "${uri}" contains a space.`, suggestion: uri.replace(/\s+/g, '') };
  const m = /^([a-z][a-z0-9+.-]*):\/\/(.*)$/i.exec(uri);
  if (!m) {
    if (uri.startsWith('/')) return { ok: false, message: `"${uri}" is a local path: the predictor pod cannot read files from this machine. Put the model in object storage (s3://, gs://) or a PersistentVolumeClaim (pvc://<claim>/<path>).` };
    return { ok: false, message: `"${uri}" is not a URI: it needs a scheme, e.g. s3://bucket/path/to/model.` };
  }
  const scheme = m[1]!.toLowerCase();
  const rest = m[2]!;
  switch (scheme) {
    case 's3':
    case 'gs': {
      const bucket = rest.split('/')[0] ?? '';
      if (!bucket) return { ok: false, message: `${scheme}:// needs a bucket: ${scheme}://<bucket>/<path>.` };
      if (!BUCKET.test(bucket)) return { ok: false, message: `"${bucket}" is not a valid ${scheme === 's3' ? 'S3' : 'GCS'} bucket name (3–63 lower-case letters, digits, dots and hyphens).`, ...(BUCKET.test(bucket.toLowerCase()) ? { suggestion: `${scheme}://${bucket.toLowerCase()}${rest.slice(bucket.length)}` } : {}) };
      return { ok: true, scheme };
    }
    case 'minio':
      return { ok: false, message: 'KServe does not read minio:// URIs. MinIO speaks S3: use s3:// with the same bucket and key, and give the predictor a service account whose secret has the MinIO endpoint (serving.kserve.io/s3-endpoint) and keys.', suggestion: `s3://${rest}` };
    case 'pvc': {
      const claim = rest.split('/')[0] ?? '';
      if (!claim) return { ok: false, message: 'pvc:// needs a claim name: pvc://<claim>/<path in the volume>.' };
      if (!DNS_SUBDOMAIN.test(claim) || claim.length > 253) return { ok: false, message: `"${claim}" is not a valid PersistentVolumeClaim name (lower-case letters, digits, '-' and '.').`, ...(DNS_SUBDOMAIN.test(claim.toLowerCase()) ? { suggestion: `pvc://${claim.toLowerCase()}${rest.slice(claim.length)}` } : {}) };
      return { ok: true, scheme: 'pvc' };
    }
    case 'oci':
      if (!OCI.test(rest)) return { ok: false, message: `"${uri}" is not an OCI image reference: oci://<registry>/<repository>[:tag], e.g. oci://quay.io/org/model:1.0.` };
      return { ok: true, scheme: 'oci' };
    case 'hf':
      if (!HF.test(rest)) return { ok: false, message: `"${uri}" is not a Hugging Face model: hf://<owner>/<model>[:revision], e.g. hf://google-bert/bert-base-uncased.` };
      return { ok: true, scheme: 'hf' };
    case 'https':
    case 'http': {
      let u: URL;
      try {
        u = new URL(uri);
      } catch {
        return { ok: false, message: `"${uri}" is not a valid URL.` };
      }
      if (!u.hostname) return { ok: false, message: `"${uri}" has no host.` };
      return scheme === 'http' ? { ok: true, scheme, note: 'Plain http: the model is downloaded unencrypted.' } : { ok: true, scheme };
    }
    case 'file':
      return { ok: false, message: `"${uri}" is a file on this machine: the predictor pod cannot read it. Upload the model to object storage (s3://, gs://) or a PersistentVolumeClaim (pvc://<claim>/<path>).` };
    case 'gcs':
      return { ok: false, message: 'Google Cloud Storage URIs start with gs://.', suggestion: `gs://${rest}` };
    case 'model-registry':
      if (!/^[^/]+\/[^/]+/.test(rest)) return { ok: false, message: `"${uri}" is not a Model Registry URI: model-registry://<model>/<version>.` };
      return { ok: true, scheme: 'model-registry', note: 'model-registry:// needs the Model Registry storage initializer (a ClusterStorageContainer) in the cluster.' };
    default:
      return { ok: false, message: `KServe cannot read ${scheme}:// URIs. Supported: ${STORAGE_SCHEMES.map((s) => `${s}://`).join(', ')}.` };
  }
}
