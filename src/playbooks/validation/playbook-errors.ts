/** What the validator reports, and how a check adds one error at a data path. */
import type { DataPath, SourceMap } from './yaml-source-map.js';

export type PlaybookErrorCode =
  | 'io_error'
  | 'yaml_syntax'
  | 'playbook_too_large'
  | 'schema'
  | 'duplicate_step_id'
  | 'unknown_route_target'
  | 'route_out_of_scope'
  | 'unreachable_step'
  | 'route_cycle'
  | 'unknown_action'
  | 'invalid_action_params'
  | 'invalid_template'
  | 'invalid_expression'
  | 'unknown_identifier'
  | 'unknown_step_reference'
  | 'unknown_variable'
  | 'unknown_input'
  | 'invalid_step'
  | 'invalid_input'
  | 'duplicate_playbook_id'
  | 'unknown_playbook'
  | 'missing_input'
  | 'playbook_cycle';

export interface PlaybookError {
  file: string;
  /** 1-based; 0 when the error concerns the whole file (it could not be read). */
  line: number;
  /** 1-based. */
  column: number;
  /** Where in the playbook, e.g. `steps[2].with.ip`; empty for the whole document. */
  path: string;
  code: PlaybookErrorCode;
  message: string;
}

/** `['steps', 2, 'with', 'ip']` → `steps[2].with.ip`. */
export function formatPath(segments: DataPath): string {
  let out = '';
  for (const segment of segments) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

export interface Problems {
  errors: PlaybookError[];
  add(code: PlaybookErrorCode, segments: DataPath, message: string, at?: { line: number; column: number }): void;
}

export function problemsFor(map: SourceMap): Problems {
  const errors: PlaybookError[] = [];
  return {
    errors,
    add(code, segments, message, at) {
      const where = at ?? map.locate(segments);
      errors.push({ file: map.file, line: where.line, column: where.column, path: formatPath(segments), code, message });
    },
  };
}

export function sortErrors(errors: PlaybookError[]): PlaybookError[] {
  return [...errors].sort((a, b) => a.line - b.line || a.column - b.column);
}

export function fileError(file: string, code: PlaybookErrorCode, message: string, line = 1, column = 1): PlaybookError {
  return { file, line, column, path: '', code, message };
}
