import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';
import type { AddressInfo } from 'node:net';
import { SIMULATOR_CREDENTIALS } from './credentials.js';
import type { CallLog } from './call-log.js';
import type { FaultBook } from './faults.js';
import type { SimulatorState } from './state.js';

const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;
const RECORDED_BODY_CHARS = 64 * 1024;

export interface SmtpSimulatorOptions {
  host: string;
  port: number;
  calls: CallLog;
  faults: FaultBook;
  state: SimulatorState;
  now: () => number;
}

export interface RunningSmtpSimulator {
  port: number;
  close(): Promise<void>;
}

class SmtpReply extends Error {
  constructor(
    message: string,
    readonly responseCode: number,
  ) {
    super(message);
  }
}

function header(raw: string, name: string): string {
  const head = raw.split(/\r?\n\r?\n/, 1)[0] ?? '';
  const unfolded = head.replace(/\r?\n[ \t]+/g, ' ');
  const m = new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(unfolded);
  return m?.[1]?.trim() ?? '';
}

/**
 * An SMTP listener for `email.send`: AUTH PLAIN/LOGIN with the documented credentials, no TLS,
 * each accepted message recorded as a call of vendor `smtp`. Faults for vendor `smtp` apply at
 * MAIL FROM: `status` replies with that SMTP code, `latency` delays, `hang` never answers.
 */
export async function startSmtpSimulator(options: SmtpSimulatorOptions): Promise<RunningSmtpSimulator> {
  const creds = SIMULATOR_CREDENTIALS.smtp;
  const server = new SMTPServer({
    name: 'smtp.simulator.vigil.invalid',
    banner: 'Vigil vendor simulator',
    authMethods: ['PLAIN', 'LOGIN'],
    authOptional: false,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    size: MAX_MESSAGE_BYTES,
    logger: false,
    socketTimeout: 30_000,
    closeTimeout: 1_000,
    onAuth(auth, _session, callback) {
      if (auth.username === creds.username && auth.password === creds.password) callback(null, { user: auth.username });
      else callback(new SmtpReply('Invalid username or password', 535));
    },
    onMailFrom(_address, _session, callback) {
      const fault = options.faults.take('smtp', 'MAIL', '/');
      if (!fault) return callback();
      if (fault.kind === 'hang') return undefined;
      if (fault.kind === 'latency') {
        setTimeout(() => callback(), fault.latencyMs ?? 1000).unref();
        return undefined;
      }
      return callback(new SmtpReply(`Injected fault ${fault.status ?? 451}`, fault.status ?? 451));
    },
    onData(stream: SMTPServerDataStream, session, callback) {
      const chunks: Buffer[] = [];
      let size = 0;
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size <= MAX_MESSAGE_BYTES) chunks.push(chunk);
      });
      stream.on('end', () => {
        if (stream.sizeExceeded) return callback(new SmtpReply('Message exceeds fixed maximum message size', 552));
        const raw = Buffer.concat(chunks).toString('utf8');
        const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        const rcptTo = session.envelope.rcptTo.map((r) => r.address);
        const messageId = header(raw, 'Message-ID');
        const subject = header(raw, 'Subject');
        const call = options.calls.record(
          {
            vendor: 'smtp',
            method: 'DATA',
            path: '/',
            query: {},
            headers: {
              from: header(raw, 'From'),
              to: header(raw, 'To'),
              cc: header(raw, 'Cc') || undefined,
              subject,
              'message-id': messageId,
              'auth-user': String(session.user ?? ''),
            },
            body: { envelope: { mailFrom, rcptTo }, size, raw: raw.slice(0, RECORDED_BODY_CHARS) },
          },
          options.now(),
        );
        call.status = 250;
        options.state.smtpMessages.set(messageId || String(call.id), { from: mailFrom, to: rcptTo, subject, messageId, size, at: call.time });
        callback(null, `Message queued as ${call.id}`);
        return undefined;
      });
    },
  });
  server.on('error', () => undefined);
  const address = await new Promise<AddressInfo | string | null>((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    const net = server.listen(options.port, options.host, () => {
      server.off('error', onError);
      resolve(net.address());
    });
  });
  const port = address && typeof address === 'object' ? address.port : options.port;
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
