/** Every command the bot registers, in the order /help lists them. */
import type { Command } from '../command.js';
import { askCommand } from './ask.js';
import { findSourcesCommand } from './find-sources.js';
import { helpCommand } from './help.js';
import { reindexCommand } from './reindex.js';
import { searchCommand } from './search.js';
import { sourceCommand } from './source.js';
import { statsCommand } from './stats.js';

export const commands: readonly Command[] = [askCommand, searchCommand, sourceCommand, statsCommand, reindexCommand, helpCommand, findSourcesCommand];
