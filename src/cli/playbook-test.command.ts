import { expandPaths } from '../playbooks/index.js';
import { isPlaybookTestFile } from '../playbooks/index.js';
import { type PlaybookTestResult, PlaybookTestRunner } from '../composition/playbook-test-runner.js';
import { type CliIo, EXIT_FAILED, EXIT_OK, UsageError } from './cli-io.js';

export function formatTestResult(r: PlaybookTestResult): string[] {
  const seconds = (r.durationMs / 1000).toFixed(1);
  if (r.passed) return [`✔ ${r.name} (${r.file}) ${seconds} s`];
  return [`✖ ${r.name} (${r.file}) ${seconds} s`, ...r.failures.map((f) => `    ${f}`)];
}

/**
 * `vigil playbook test <files or folders…>`: runs playbook test files (`*.test.yaml`) on the Temporal
 * server with a worker in this process; throwaway tenants and cases go to the test database
 * (`VIGIL_TEST_DATABASE_URL`). Exit 1 when any test fails.
 */
export async function testCommand(paths: string[], io: CliIo, env: Readonly<Record<string, string | undefined>>): Promise<number> {
  if (paths.length === 0) throw new UsageError('vigil playbook test needs at least one test file or folder');
  const files = await expandPaths(paths, isPlaybookTestFile);
  if (files.length === 0) {
    io.err('no playbook test files (*.test.yaml) found');
    return EXIT_FAILED;
  }
  const runner = await PlaybookTestRunner.start({ env });
  let failed = 0;
  try {
    for (const file of files) {
      const result = await runner.run(file);
      if (!result.passed) failed += 1;
      for (const line of formatTestResult(result)) io.out(line);
    }
  } finally {
    await runner.close();
  }
  io.out(`${files.length - failed} passed, ${failed} failed`);
  return failed > 0 ? EXIT_FAILED : EXIT_OK;
}
