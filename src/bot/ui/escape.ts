/**
 * Makes document text safe to show in Discord: markdown renders as the literal
 * characters, and mentions neither render nor ping, whatever the documents say.
 */

const ZWSP = '\u200b';

/** Characters Discord markdown gives a meaning to; a backslash makes them literal. */
const MARKDOWN = /[\\*_~`|<>[\]#]/g;
/** Line starts that would become list items. */
const LIST_START = /^(\s*)([-+]|\d+\.)(?=\s)/gm;

/**
 * Escapes markdown and neutralises `@everyone`, `@here`, `<@id>`, `<@&role>`,
 * `<#channel>` and friends (the `<` is escaped, `@everyone` gets a zero-width space).
 *
 * @example
 * safeText('**hi** @everyone <@123>'); // '\\*\\*hi\\*\\* @\u200beveryone \\<@123\\>'
 */
export function safeText(text: string): string {
  return text
    .replace(MARKDOWN, '\\$&')
    .replace(LIST_START, '$1\\$2')
    .replace(/@(everyone|here)/gi, `@${ZWSP}$1`);
}

/** Inline code spans: shown as written (Discord renders nothing inside them). */
const CODE_SPAN = /(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/g;

/**
 * A Markdown document's text as Discord Markdown: bold, italics, strikethrough
 * and inline code are kept; links become their text, heading and quote marks
 * at a line start are escaped, and mentions neither render nor ping.
 *
 * @example
 * markdownText('**Run** `npm ci`, see [the guide](https://x.org) <@123>');
 * // '**Run** `npm ci`, see the guide \\<@123\\>'
 */
export function markdownText(text: string): string {
  let out = '';
  let at = 0;
  for (const match of text.matchAll(CODE_SPAN)) {
    out += markdownProse(text.slice(at, match.index)) + noEveryone(match[0]);
    at = match.index + match[0].length;
  }
  return out + markdownProse(text.slice(at));
}

function markdownProse(text: string): string {
  return noEveryone(
    text
      .replace(/!?\[([^\]\n]*)\]\([^)\n]*\)/g, '$1')
      .replace(/<(https?:\/\/[^>\s]+)>/g, '$1')
      .replace(/[<>[\]|]/g, '\\$&')
      .replace(/^(\s*)(#{1,6}|-#)(?=\s)/gm, '$1\\$2'),
  );
}

function noEveryone(text: string): string {
  return text.replace(/@(everyone|here)/gi, `@${ZWSP}$1`);
}
