/**
 * A worker thread started for one answer: it runs a small plain-JavaScript
 * program (no loader, so it starts fast) over `workerData`, posts one
 * message, and is stopped. The integrity checks of a large index use it to
 * read shared memory in place on another core (checksum.ts, keyword-file.ts).
 *
 * @example
 * const sum = await oneShotWorker<string>(`require('node:worker_threads').parentPort.postMessage('ok')`, null, 'checksum');
 */
import { Worker } from 'node:worker_threads';

/** The program's one message; rejects if the worker fails or exits first (`what` names it in the error). */
export function oneShotWorker<T>(program: string, workerData: unknown, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(program, { eval: true, workerData });
    worker.once('message', (answer: T) => {
      resolve(answer);
      void worker.terminate();
    });
    worker.once('error', reject);
    // After the message this settles nothing; before it, the worker died without an answer.
    worker.once('exit', (code) => reject(new Error(`the ${what} worker exited (${code}) before it finished`)));
  });
}
