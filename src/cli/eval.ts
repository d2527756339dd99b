/** `citebot eval FILE.jsonl`: measure retrieval and the answer verdicts on labelled questions. */
import fs from 'node:fs/promises';
import { CitebotError } from '../errors.js';
import { EVAL_DEPTH, formatEvalReport, parseEvalCases, runEval } from '../search/eval.js';
import { configFor, librarySession, withSession } from './context.js';
import { locationOptions, stringFlag, type CliCommand } from './command.js';

export const evalCommand = {
  summary: 'Score labelled questions: hit@1/3/5, MRR@10, verdict shares (answered / unsure / none), abstention, latency.',
  usage: 'citebot eval FILE.jsonl [--docs DIR] [--index DIR] [--json]',
  options: { ...locationOptions, json: { type: 'boolean' } },
  positionals: true,
  async run(flags, positionals, io) {
    const [file, ...extra] = positionals;
    if (file === undefined || extra.length > 0) {
      throw new CitebotError('Give exactly one questions file.', { hint: `Usage: ${evalCommand.usage}` });
    }
    const cases = parseEvalCases(await readQuestions(file), file);
    const config = configFor({ docs: stringFlag(flags, 'docs'), index: stringFlag(flags, 'index') }, io.env);
    return withSession(config, io, {}, async (session) => {
      const library = await librarySession(session, io);
      const report = await runEval((q) => library.ask(q, { topK: EVAL_DEPTH }), cases);
      io.out(flags.json ? `${JSON.stringify(report)}\n` : `${formatEvalReport(report)}\n`);
      return 0;
    });
  },
} satisfies CliCommand;

async function readQuestions(file: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CitebotError(`Cannot read questions file ${file}${code ? ` (${code})` : ''}.`);
  }
}
