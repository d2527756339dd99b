/**
 * Questions asked at the terminal, one after another, until the person leaves:
 * what `citebot start` runs without a Discord token, and `citebot ask` with no
 * question. A bad question gets its one-line error and the prompt comes back.
 */
import { isCitebotError } from '../errors.js';
import type { Library } from '../library/library.js';
import { counted } from '../library/summary.js';
import { answerOne } from './answer-one.js';
import type { Session } from './context.js';
import type { Io } from './io.js';
import { runPrompt } from './prompt.js';

/**
 * Runs the prompt on stdin; resolves to the exit code (130 after Ctrl+C, as shells expect).
 *
 * @example
 * return converse(library, session, io);
 */
export async function converse(library: Library, session: Session, io: Io): Promise<number> {
  const { documents, passages, mode } = library.stats();
  const terminal = io.inputIsTerminal;
  const leave = terminal ? 'help for tips, exit or Ctrl+D to quit' : 'one per line';
  io.err(`Ready: ${counted(documents, 'document')}, ${counted(passages, 'passage')}, ${mode} mode. Ask a question (${leave}).\n`);
  const end = await runPrompt({
    input: io.input,
    output: io.promptOutput,
    terminal,
    historyFile: session.config.historyFile,
    onQuestion: async (question) => {
      try {
        await answerOne(library, question, {}, io);
      } catch (err) {
        // One bad question must not end the session.
        if (!isCitebotError(err)) throw err;
        io.err(`citebot: ${err.userMessage}\n`);
      }
    },
  });
  return end === 'interrupted' ? 130 : 0;
}
