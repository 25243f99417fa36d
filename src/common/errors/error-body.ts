/** The one error shape of Vigil's HTTP API. */
export interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> | Array<Record<string, unknown>> };
}

export function errorBody(code: string, message: string, details: Record<string, unknown> | Array<Record<string, unknown>> = {}): ErrorBody {
  return { error: { code, message, details } };
}
