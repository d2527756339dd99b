/**
 * Discord's message limits, and a checker that lists what a message breaks.
 * Replies are built to fit these; the fake Discord server in the tests answers
 * 50035 with exactly this checker, as Discord would.
 */
import type { APIEmbed } from 'discord.js';
import { hasLoneSurrogate } from '../../text/cut.js';

export const LIMITS = {
  content: 2000,
  embeds: 10,
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  author: 256,
  /** All titles, descriptions, field names and values, footers and authors of one message. */
  embedsTotal: 6000,
  customId: 100,
  buttonLabel: 80,
  choices: 25,
  choiceName: 100,
} as const;

/** The parts of a message body the limits apply to. */
export interface MessageBody {
  content?: string | null;
  embeds?: APIEmbed[];
}

/**
 * Every limit `body` breaks (lengths, and lone surrogates Discord can't
 * decode), as readable lines; [] when Discord would accept it.
 *
 * @example
 * limitViolations({ content: 'x'.repeat(2001) }); // ['content is 2001 > 2000']
 */
export function limitViolations(body: MessageBody): string[] {
  const problems: string[] = [];
  const check = (what: string, text: string | undefined | null, max: number) => {
    if (text && text.length > max) problems.push(`${what} is ${text.length} > ${max}`);
    // Discord parses bodies as UTF-8: half a surrogate pair is invalid text, refused like an overlong field.
    if (text && hasLoneSurrogate(text)) problems.push(`${what} has a lone surrogate (invalid UTF-16)`);
  };
  check('content', body.content, LIMITS.content);
  const embeds = body.embeds ?? [];
  if (embeds.length > LIMITS.embeds) problems.push(`${embeds.length} embeds > ${LIMITS.embeds}`);
  let total = 0;
  embeds.forEach((embed, i) => {
    check(`embeds[${i}].title`, embed.title, LIMITS.title);
    check(`embeds[${i}].description`, embed.description, LIMITS.description);
    check(`embeds[${i}].footer`, embed.footer?.text, LIMITS.footer);
    check(`embeds[${i}].author`, embed.author?.name, LIMITS.author);
    const fields = embed.fields ?? [];
    if (fields.length > LIMITS.fields) problems.push(`embeds[${i}] has ${fields.length} fields > ${LIMITS.fields}`);
    fields.forEach((field, j) => {
      check(`embeds[${i}].fields[${j}].name`, field.name, LIMITS.fieldName);
      check(`embeds[${i}].fields[${j}].value`, field.value, LIMITS.fieldValue);
      total += field.name.length + field.value.length;
    });
    total += (embed.title ?? '').length + (embed.description ?? '').length;
    total += (embed.footer?.text ?? '').length + (embed.author?.name ?? '').length;
  });
  if (total > LIMITS.embedsTotal) problems.push(`embeds total ${total} > ${LIMITS.embedsTotal}`);
  return problems;
}
