// Errors the way the KFP API server reports them.
//
// The server's handlers return util.UserError values: an external message (what the client should see), an internal
// message chain (wrapped with context at each layer, "<context>: <cause>") and a gRPC code. grpc-gateway v2 turns
// them into the HTTP status of the code and the body {code, message, details} where message is the internal chain
// and details holds one `api.Error` {error_message: external, error_details: internal}
// (backend/src/common/util/error.go ToGRPCError; runtime.DefaultHTTPErrorHandler). The multipart upload endpoints
// are plain HTTP handlers and write {error_message, error_details} instead (pipeline_upload_server.go).

/** gRPC status codes used by the server. */
export const Code = {
  OK: 0,
  Canceled: 1,
  Unknown: 2,
  InvalidArgument: 3,
  NotFound: 5,
  AlreadyExists: 6,
  PermissionDenied: 7,
  FailedPrecondition: 9,
  Aborted: 10,
  Unimplemented: 12,
  Internal: 13,
  Unavailable: 14,
  Unauthenticated: 16,
} as const;
export type CodeValue = (typeof Code)[keyof typeof Code];

/** grpc-gateway v2 runtime.HTTPStatusFromCode. */
export function httpStatusFromCode(code: number): number {
  switch (code) {
    case Code.OK: return 200;
    case Code.Canceled: return 499;
    case Code.InvalidArgument: return 400;
    case Code.NotFound: return 404;
    case Code.AlreadyExists: return 409;
    case Code.PermissionDenied: return 403;
    case Code.FailedPrecondition: return 400;
    case Code.Aborted: return 409;
    case Code.Unimplemented: return 501;
    case Code.Unavailable: return 503;
    case Code.Unauthenticated: return 401;
    default: return 500;
  }
}

/** A util.UserError: `internal` is the chain the gateway puts into `message`, `external` the short text. */
export class KfpError extends Error {
  constructor(readonly code: CodeValue, readonly external: string, readonly internal: string, readonly withDetails = true) {
    super(internal);
    this.name = 'KfpError';
  }

  /** util.Wrap: prefix the internal chain with context; code and external message stay. */
  wrap(context: string): KfpError {
    return new KfpError(this.code, this.external, `${context}: ${this.internal}`, this.withDetails);
  }

  get httpStatus(): number {
    return httpStatusFromCode(this.code);
  }

  /** The grpc-gateway body. */
  gatewayBody(): { code: number; message: string; details?: Array<Record<string, string>> } {
    if (!this.withDetails) return { code: this.code, message: this.internal };
    return {
      code: this.code,
      message: this.internal,
      details: [{ '@type': 'type.googleapis.com/api.Error', error_message: this.external, error_details: this.internal }],
    };
  }
}

export function isKfpError(e: unknown): e is KfpError {
  return e instanceof KfpError;
}

export const invalidInput = (message: string) => new KfpError(Code.InvalidArgument, message, `Invalid input error: ${message}`);
export const notFound = (type: string, id: string) =>
  new KfpError(Code.NotFound, `${type} ${id} not found.`, `ResourceNotFoundError: ${type} ${id} not found.`);
export const alreadyExists = (message: string) => new KfpError(Code.AlreadyExists, message, `Already exist error: ${message}`);
export const failedPrecondition = (message: string) => new KfpError(Code.FailedPrecondition, message, `FailedPreconditionError: ${message}`);
/** util.NewBadRequestError: code Aborted (HTTP 409). */
export const badRequest = (message: string, cause: string) => new KfpError(Code.Aborted, message, `BadRequestError: ${message}: ${cause}`);
export const unauthenticated = (message: string) => new KfpError(Code.Unauthenticated, message, `Unauthenticated: ${message}`);
export const internal = (message: string) => new KfpError(Code.Internal, 'Internal Server Error', `InternalServerError: ${message}`);

/** What the gateway sends for a request it cannot parse or route: a plain status, no details. */
export function gatewayError(code: CodeValue, message: string): KfpError {
  return new KfpError(code, message, message, false);
}
