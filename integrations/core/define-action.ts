import { type z } from 'zod';
import { IntegrationError, type ActionContext, type ActionDefinition, type ActionKind } from './action.js';
import { toIntegrationError } from './http-errors.js';
import { redactText } from './redaction.js';

export interface ActionSpec<S extends z.ZodType, T extends z.ZodType> {
  key: string;
  vendor: string;
  title: string;
  docUrl: string;
  kind: ActionKind;
  input: S;
  output: T;
  secrets: readonly string[];
  inverse?: string;
  describeTarget?(input: z.output<S>): string;
  /** The vendor call itself; may throw axios errors, they are classified on the way out. */
  run(input: z.output<S>, ctx: ActionContext): Promise<z.input<T>>;
}

function issuesText(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length > 0 ? i.path.join('.') : '(root)'}: ${i.message}`)
    .join('; ');
}

/**
 * Builds an ActionDefinition whose `execute` validates its input, checks the connection has the
 * declared secrets, classifies every failure as an IntegrationError (secrets scrubbed) and
 * validates the output against the declared schema, so callers can trust both ends of the port.
 */
export function defineAction<S extends z.ZodType, T extends z.ZodType>(spec: ActionSpec<S, T>): ActionDefinition<z.output<S>, z.output<T>> {
  const { run, input, output, ...rest } = spec;
  return {
    ...rest,
    // S and T are zod schemas whose outputs are exactly these types; TS cannot see that through the generics.
    input: input as z.ZodType<z.output<S>>,
    output: output as z.ZodType<z.output<T>>,
    async execute(rawInput: z.output<S>, ctx: ActionContext): Promise<z.output<T>> {
      const parsedInput = spec.input.safeParse(rawInput);
      if (!parsedInput.success) {
        throw new IntegrationError(`${spec.key}: invalid input — ${issuesText(parsedInput.error)}`, 'invalid_input', false);
      }
      const missing = spec.secrets.filter((name) => {
        const value = ctx.connection.secrets[name];
        return typeof value !== 'string' || value === '';
      });
      if (missing.length > 0) {
        throw new IntegrationError(`${spec.key}: connection is missing secret(s) ${missing.join(', ')}`, 'connection_incomplete', false);
      }
      let raw: z.input<T>;
      try {
        raw = await run(parsedInput.data, ctx);
      } catch (err) {
        throw toIntegrationError(err, { vendor: spec.vendor, secrets: ctx.connection.secrets });
      }
      const parsedOutput = spec.output.safeParse(raw);
      if (!parsedOutput.success) {
        throw new IntegrationError(redactText(`${spec.key}: unexpected vendor response — ${issuesText(parsedOutput.error)}`, ctx.connection.secrets), 'vendor_bad_response', false);
      }
      return parsedOutput.data;
    },
  };
}

/** Joins a connection base URL and a path without doubling or dropping slashes. */
export function joinUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/** Reads a string setting, falling back to `fallback` when absent or blank. */
export function stringSetting(settings: Readonly<Record<string, unknown>>, name: string, fallback: string): string;
export function stringSetting(settings: Readonly<Record<string, unknown>>, name: string): string | undefined;
export function stringSetting(settings: Readonly<Record<string, unknown>>, name: string, fallback?: string): string | undefined {
  const value = settings[name];
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : fallback;
}

/** Reads a required string setting or fails the action as misconfigured (not retryable). */
export function requireSetting(settings: Readonly<Record<string, unknown>>, name: string, actionKey: string): string {
  const value = stringSetting(settings, name);
  if (value === undefined) {
    throw new IntegrationError(`${actionKey}: connection setting ${name} is required`, 'connection_incomplete', false);
  }
  return value;
}

/** The named secret; defineAction has already checked the declared ones are present. */
export function secret(ctx: ActionContext, name: string): string {
  return ctx.connection.secrets[name] ?? '';
}

/** Reads an HTTP status off an axios error without depending on its class. */
export function responseStatus(err: unknown): number | undefined {
  if (err && typeof err === 'object' && 'response' in err) {
    const response = (err as { response?: { status?: unknown } }).response;
    if (response && typeof response.status === 'number') return response.status;
  }
  return undefined;
}

/** Reads the parsed body off an axios error response. */
export function responseData(err: unknown): unknown {
  if (err && typeof err === 'object' && 'response' in err) {
    const response = (err as { response?: { data?: unknown } }).response;
    return response?.data;
  }
  return undefined;
}
