import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/config.schema.js';
import { type CliIo, EXIT_FAILED, EXIT_USAGE, processIo, UsageError } from './cli-io.js';

/** The tenant dry runs go to unless `--tenant` names one (kept here so `help` loads nothing heavy). */
const DRY_RUN_TENANT = 'vigil-dry-run';

export const USAGE = `usage: vigil playbook <command>

  validate <files or folders…>       check playbooks (and *.test.yaml files); errors as file:line:col path message
  test <files or folders…>           run playbook tests (*.test.yaml) on Temporal with recorded integration responses
  run --alert <file> --dry-run       run a playbook on Temporal without sending containment, notification or tickets
      [--playbook <file>]            the playbook to run (default: the one the tenant's triggers select)
      [--source <source>]            the alert's source (default: detected from the payload)
      [--tenant <slug>]              run as this tenant, with its playbooks and connections (default: ${DRY_RUN_TENANT})
      [--reject]                     answer approvals with reject (default: approve)
      [--timeout <seconds>]          give up after this long (default 60)
      [--json]                       print the report as JSON
  import-cacao <file> [-o out.yaml]  convert a CACAO 2.0 playbook to Vigil YAML

Exit codes: 0 success, 1 invalid or failed, 2 wrong usage.
Needs: validate and import-cacao nothing; test and run the Temporal server and PostgreSQL (like npm start).`;

/**
 * Runs one vigil command line; resolves with the exit code. `env` is the environment the entry point
 * read (configuration is parsed from it by src/config, as for src/main.ts).
 */
export async function runVigil(argv: readonly string[], env: Readonly<Record<string, string | undefined>>, io: CliIo = processIo): Promise<number> {
  const [group, command, ...rest] = argv;
  try {
    if (group === undefined || group === 'help' || group === '--help' || group === '-h') {
      io.out(USAGE);
      return group === undefined ? EXIT_USAGE : 0;
    }
    if (group !== 'playbook') throw new UsageError(`unknown command '${group}'`);
    switch (command) {
      case 'validate': {
        const { positionals } = parseArgs({ args: rest, allowPositionals: true, options: {} });
        // Commands load their modules on demand: validating needs neither Nest nor the Temporal worker.
        const { validateCommand } = await import('./playbook-validate.command.js');
        return await validateCommand(positionals, io);
      }
      case 'test': {
        const { positionals } = parseArgs({ args: rest, allowPositionals: true, options: {} });
        // Playbook tests write throwaway tenants and cases: to the test database, never the working one.
        const testDb = loadConfig(env).testDatabaseUrl;
        const { testCommand } = await import('./playbook-test.command.js');
        return await testCommand(positionals, io, { ...env, DATABASE_URL: testDb });
      }
      case 'import-cacao': {
        const { positionals, values } = parseArgs({ args: rest, allowPositionals: true, options: { output: { type: 'string', short: 'o' } } });
        if (positionals.length !== 1) throw new UsageError('vigil playbook import-cacao takes one CACAO file');
        const { importCacaoCommand } = await import('./playbook-import-cacao.command.js');
        return await importCacaoCommand(positionals[0]!, values.output, io);
      }
      case 'run': {
        const { values, positionals } = parseArgs({
          args: rest,
          allowPositionals: true,
          options: {
            alert: { type: 'string' },
            'dry-run': { type: 'boolean' },
            playbook: { type: 'string' },
            source: { type: 'string' },
            tenant: { type: 'string' },
            reject: { type: 'boolean' },
            timeout: { type: 'string' },
            json: { type: 'boolean' },
          },
        });
        if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`);
        if (!values.alert) throw new UsageError('vigil playbook run needs --alert <file>');
        // Only dry runs: a real run is what ingest does.
        if (!values['dry-run']) throw new UsageError('vigil playbook run only does dry runs: add --dry-run');
        const timeout = values.timeout === undefined ? 60 : Number(values.timeout);
        if (!Number.isFinite(timeout) || timeout <= 0) throw new UsageError('--timeout takes a number of seconds');
        const { runCommand } = await import('./playbook-run.command.js');
        return await runCommand(
          {
            alertFile: values.alert,
            playbookFile: values.playbook,
            source: values.source,
            tenant: values.tenant,
            approvals: values.reject ? 'reject' : 'approve',
            timeoutMs: timeout * 1000,
            json: values.json ?? false,
          },
          io,
          env,
        );
      }
      default:
        throw new UsageError(command === undefined ? 'vigil playbook needs a command' : `unknown playbook command '${command}'`);
    }
  } catch (error) {
    if (error instanceof UsageError || (error instanceof TypeError && (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS'))) {
      io.err(`vigil: ${error.message}`);
      io.err(USAGE);
      return EXIT_USAGE;
    }
    if (error instanceof ConfigError) {
      io.err(`vigil: ${error.message}`);
      return EXIT_USAGE;
    }
    io.err(`vigil: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT_FAILED;
  }
}
