import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL, PROJECT_DIR, defaultEmbedThreads, parseConfig, requireDiscord } from '../src/config.js';
import { CitebotError } from '../src/errors.js';
import { embedderOptions } from '../src/embed/embedder-options.js';

describe('parseConfig', () => {
  it('has working defaults for an empty environment', () => {
    const config = parseConfig({});
    expect(config.docsDir).toBe(path.join(PROJECT_DIR, 'seeds'));
    expect(config.indexDir).toBe(path.join(PROJECT_DIR, 'embeddings'));
    expect(config.model).toBe(DEFAULT_MODEL);
    expect(config.discord).toEqual({ token: null, applicationId: null, guildId: null, apiUrl: null });
    expect(config.allowedChannelIds).toEqual([]);
  });

  it.each([
    [1, true, 1],
    [2, true, 1],
    [3, true, 2],
    [8, true, 4],
    [64, true, 4],
    [1, false, 1],
    [2, false, 2],
    [3, false, 3],
    [8, false, 4],
  ])('when EMBED_THREADS is unset, %i cores (serving: %s) embed with %i threads: a serving bot keeps a core', (cores, serving, threads) => {
    expect(defaultEmbedThreads(cores, { serving })).toBe(threads);
  });

  it('takes EMBED_THREADS when set, and leaves the choice to the use when it is empty', () => {
    expect(parseConfig({ EMBED_THREADS: '3' }).embedThreads).toBe(3);
    expect(parseConfig({ EMBED_THREADS: '' }).embedThreads).toBeNull();
    expect(parseConfig({}).embedThreads).toBeNull();
  });

  it.each([false, true])('an embedder (serving: %s) gets the threads its use calls for, or EMBED_THREADS', (serving) => {
    expect(embedderOptions(parseConfig({}), { serving }).threads).toBe(defaultEmbedThreads(os.availableParallelism(), { serving }));
    expect(embedderOptions(parseConfig({ EMBED_THREADS: '3' }), { serving }).threads).toBe(3);
  });

  it.each([
    ['TOP_K', '0', /TOP_K/],
    ['TOP_K', 'three', /TOP_K/],
    ['TOP_K', '2.5', /TOP_K.*whole number/],
    ['ANSWER_THRESHOLD', '1.5', /ANSWER_THRESHOLD/],
    ['ALLOW_MODEL_DOWNLOAD', 'maybe', /ALLOW_MODEL_DOWNLOAD.*true or false/],
    ['DISCORD_APPLICATION_ID', 'abc', /DISCORD_APPLICATION_ID.*Discord id/],
    ['DISCORD_GUILD_ID', '12 34', /DISCORD_GUILD_ID/],
    ['DISCORD_API_URL', 'not a url', /DISCORD_API_URL.*URL/],
    ['DISCORD_API_URL', 'ftp://example.com', /DISCORD_API_URL/],
    ['ALLOWED_CHANNEL_IDS', '123456,general', /ALLOWED_CHANNEL_IDS/],
    ['COOLDOWN_SECONDS', '-1', /COOLDOWN_SECONDS/],
  ])('names the invalid variable %s=%s', (name, value, message) => {
    expect(() => parseConfig({ [name]: value })).toThrow(CitebotError);
    expect(() => parseConfig({ [name]: value })).toThrow(message);
  });

  it.each([
    ['TOP_K', '7', (c: ReturnType<typeof parseConfig>) => c.topK, 7],
    ['ALLOW_MODEL_DOWNLOAD', 'no', (c: ReturnType<typeof parseConfig>) => c.allowDownload, false],
    ['DISCORD_API_URL', 'http://127.0.0.1:3000/api/', (c: ReturnType<typeof parseConfig>) => c.discord.apiUrl, 'http://127.0.0.1:3000/api'],
    ['ALLOWED_CHANNEL_IDS', '111111, 222222', (c: ReturnType<typeof parseConfig>) => c.allowedChannelIds, ['111111', '222222']],
    ['DOCS_DIR', '/tmp/docs', (c: ReturnType<typeof parseConfig>) => c.docsDir, '/tmp/docs'],
    ['DEBUG', 'express:*', (c: ReturnType<typeof parseConfig>) => c.debug, false],
  ])('reads %s=%s', (name, value, pick, expected) => {
    expect(pick(parseConfig({ [name]: value }))).toEqual(expected);
  });

  it('treats blank values as unset', () => {
    expect(parseConfig({ DISCORD_TOKEN: '  ', TOP_K: '' }).discord.token).toBeNull();
  });
});

describe('requireDiscord', () => {
  it('names the first missing variable', () => {
    const config = parseConfig({ DISCORD_TOKEN: 'secret' });
    expect(() => requireDiscord(config, ['token'])).not.toThrow();
    expect(() => requireDiscord(config, ['token', 'applicationId'])).toThrow(/DISCORD_APPLICATION_ID is not set/);
    expect(() => requireDiscord(parseConfig({}), ['token'])).toThrow(/DISCORD_TOKEN is not set/);
  });
});

describe('secrets in errors', () => {
  // Made up, shaped like a real bot token.
  const TOKEN = 'MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ.ZnCjm1XVW7vRze4b7Cq4se7kKWs';

  it.each(['DISCORD_APPLICATION_ID', 'DISCORD_GUILD_ID', 'ALLOWED_CHANNEL_IDS'])('a token pasted into %s is named, never echoed', (name) => {
    const error = (() => {
      try {
        parseConfig({ [name]: TOKEN });
      } catch (err) {
        return err as CitebotError;
      }
      throw new Error('no error');
    })();
    expect(error).toBeInstanceOf(CitebotError);
    expect(error.message).toMatch(new RegExp(`^Invalid ${name}: .*looks like a bot token \\(not shown\\)\\.$`));
    expect(`${error.message} ${error.hint}`).not.toContain('ZnCjm1XVW7');
    expect(error.hint).toMatch(/DISCORD_TOKEN/);
  });

  it.each([
    ['a line break inside', `${TOKEN.slice(0, 30)}\n${TOKEN.slice(30)}`],
    ['a space inside', `${TOKEN.slice(0, 30)} ${TOKEN.slice(30)}`],
  ])('a DISCORD_TOKEN with %s is refused in one line at start, not as "invalid Authorization header"', (_case, token) => {
    expect(() => parseConfig({ DISCORD_TOKEN: token })).toThrow(/^Invalid DISCORD_TOKEN: it contains a line break, space or other character a token never has \(value not shown\)\.$/);
    expect(parseConfig({ DISCORD_TOKEN: `  ${TOKEN}\n` }).discord.token).toBe(TOKEN);
  });
});

describe('.gitignore', () => {
  // git's own answer, so the test reads the rules exactly as git does.
  const ignored = (file: string): boolean => spawnSync('git', ['check-ignore', '-q', file], { cwd: PROJECT_DIR }).status === 0;

  it.each(['.env', '.env.local', '.env.production'])('keeps %s (secrets) out of git', (file) => {
    expect(ignored(file)).toBe(true);
  });

  it('still tracks .env.example', () => {
    expect(ignored('.env.example')).toBe(false);
  });
});

