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
