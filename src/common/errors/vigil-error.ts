/**
 * Every error Vigil reports to a caller carries a code; one filter per transport maps codes to
 * statuses. Services throw these; nothing branches on message text.
 */
export const ERROR_STATUS = {
  bad_request: 400,
  invalid_json: 400,
  invalid_body: 400,
  invalid_alert: 400,
  unrecognized_payload: 400,
  forbidden_key: 400,
  too_deep: 400,
  too_many_alerts: 400,
  invalid_query: 400,
  invalid_params: 400,
  invalid_cursor: 400,
  resolution_required: 400,
  invalid_resolution: 400,
  unsupported_media_type: 415,
  payload_too_large: 413,
  playbook_too_large: 413,
  unauthorized: 401,
  invalid_signature: 401,
  forbidden: 403,
  tenant_suspended: 403,
  not_found: 404,
  unknown_source: 404,
  conflict: 409,
  link_used: 409,
  link_expired: 410,
  invalid_transition: 409,
  severity_below_alerts: 409,
  case_merged: 409,
  invalid_playbook: 422,
  invalid_cacao: 422,
  cacao_unsupported: 422,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** Structured context of an error: an object, or a list of findings (each with its JSON Pointer). */
export type ErrorDetails = Record<string, unknown> | Array<Record<string, unknown>>;

export class VigilError extends Error {
  override readonly name = 'VigilError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: ErrorDetails = {},
  ) {
    super(message);
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export function notFound(what: string, id: string): VigilError {
  return new VigilError('not_found', `${what} ${id} not found`, { id });
}
