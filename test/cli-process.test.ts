/**
 * Smoke tests of the real `citebot` process (bin/citebot.mjs → src/main.ts):
 * what only a process shows, its exit code, its own stdin, stdout and stderr,
 * and its environment. The CLI's contract itself is tested in-process (the
 * `citebot` helper in test/helpers/cli.ts runs the same `main`); the prompt at
 * a real terminal is in cli-habits.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offlineEnv, seedWorkspace, spawnCitebot } from './helpers/cli.js';

const RIYADH = 'Who led the American team in Riyadh?';
const RUBIO = 'A Trump administration team led by Secretary of State Marco Rubio';

let ws: Awaited<ReturnType<typeof seedWorkspace>>;
beforeAll(async () => {
  ws = await seedWorkspace();
});
afterAll(() => ws.cleanup());

describe('the citebot process', () => {
  it('ingests, then answers each piped line with one JSON object on stdout, sized by TOP_K from its environment, exit 0', async () => {
    const located = ['--docs', ws.docs, '--index', ws.index];
    const ingest = await spawnCitebot(['ingest', ...located], { cwd: ws.dir });
    expect(ingest.code).toBe(0);
    expect(ingest.stdout).toMatch(/^Indexed 1 file, \d+ passages \(1 new, 0 changed, 0 removed\) in keyword mode in [\d.]+ s\.\n$/);
    const input = `${RIYADH}\n\nHow do I bake a chocolate cake?\n`;
    const result = await spawnCitebot(['ask', '--json', ...located], { cwd: ws.dir, input, env: offlineEnv({ TOP_K: '1' }) });
    expect(result.code).toBe(0);
    const answers = result.stdout.trim().split('\n').map((line) => JSON.parse(line));
    expect(answers.map((a) => [a.question, a.answered])).toEqual([[RIYADH, true], ['How do I bake a chocolate cake?', false]]);
    expect(answers[0].results).toHaveLength(1);
    expect(answers[0].results[0].text.startsWith(RUBIO)).toBe(true);
  });

  it('reports an error in one line on stderr, with no stack trace, and exits with code 1', async () => {
    const result = await spawnCitebot(['ingset'], { cwd: ws.dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.split('\n')[0]).toBe('citebot: Unknown command "ingset". Did you mean "ingest"?');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('bolds highlights on a pipe when FORCE_COLOR=1 is in its environment', async () => {
    const result = await spawnCitebot(['ask', '--docs', ws.docs, '--index', ws.index, RIYADH], { cwd: ws.dir, env: offlineEnv({ FORCE_COLOR: '1' }) });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('\x1b[1m');
  });
});
