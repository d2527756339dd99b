/**
 * Gateway payloads as Discord sends them when a user acts: interactions and
 * channel messages, with every field discord.js needs to not drop them
 * (`entitlements`, `authorizing_integration_owners`, a `channel` object).
 */
import { snowflake, type FakeDiscord } from '../discord/fake-discord.js';

export interface Member {
  id: string;
  name: string;
  /** Has Manage Server. */
  admin?: boolean;
}

export interface Sent {
  id: string;
  token: string;
}

const MANAGE_GUILD = 1n << 5n;
const VIEW_CHANNEL = 1n << 10n;

export function member(name: string, admin = false): Member {
  return { id: snowflake(), name, admin };
}

/**
 * Dispatches INTERACTION_CREATE and returns the id and token the bot must answer with.
 *
 * @example
 * const sent = sendInteraction(discord, 2, { id, name: 'help', type: 1 }, member('ann'), discord.channelIds[0]!);
 */
export function sendInteraction(discord: FakeDiscord, type: number, data: unknown, by: Member, channelId: string, extra: Record<string, unknown> = {}): Sent {
  const sent = { id: snowflake(), token: `interaction-token-${snowflake()}` };
  const permissions = (by.admin ? MANAGE_GUILD | VIEW_CHANNEL : VIEW_CHANNEL).toString();
  const guildId = discord.guildOf(channelId);
  discord.dispatch('INTERACTION_CREATE', {
    id: sent.id,
    application_id: discord.applicationId,
    type,
    data,
    guild_id: guildId,
    channel_id: channelId,
    channel: discord.channelObject(channelId),
    member: { user: userObject(by), roles: [], permissions, joined_at: new Date().toISOString(), deaf: false, mute: false, flags: 0 },
    token: sent.token,
    version: 1,
    app_permissions: '2147483647',
    locale: 'en-US',
    guild_locale: 'en-US',
    entitlements: [],
    authorizing_integration_owners: { '0': guildId },
    context: 0,
    ...extra,
  });
  return sent;
}

/**
 * An interaction from a DM with the bot (context 1): no guild, no member, a
 * DM channel. The bot registers its commands for servers only, so Discord
 * wouldn't offer them there; a stale client or a user install still might.
 *
 * @example
 * const sent = sendDmInteraction(discord, slashData('ask', [['question', 'Hi?']]), member('ann'));
 */
export function sendDmInteraction(discord: FakeDiscord, data: unknown, by: Member): Sent {
  const sent = { id: snowflake(), token: `interaction-token-${snowflake()}` };
  const channelId = snowflake();
  discord.dispatch('INTERACTION_CREATE', {
    id: sent.id,
    application_id: discord.applicationId,
    type: 2,
    data,
    channel_id: channelId,
    channel: { id: channelId, type: 1, last_message_id: null, flags: 0, recipients: [userObject(by)] },
    user: userObject(by),
    token: sent.token,
    version: 1,
    app_permissions: '2147483647',
    locale: 'en-US',
    entitlements: [],
    authorizing_integration_owners: { '1': by.id },
    context: 1,
  });
  return sent;
}

/** The data of a slash command; numbers become integer options, strings string options. */
export function slashData(name: string, options: Array<[string, string | number]>): Record<string, unknown> {
  return {
    id: snowflake(),
    name,
    type: 1,
    options: options.map(([n, value]) => ({ name: n, type: typeof value === 'number' ? 4 : 3, value })),
  };
}

/** A user's channel message as MESSAGE_CREATE carries it. */
export function userMessage(discord: FakeDiscord, content: string, by: Member, options: { mentions?: unknown[]; bot?: boolean; channelId?: string; id?: string } = {}) {
  return {
    id: options.id ?? snowflake(),
    channel_id: options.channelId ?? discord.channelIds[0]!,
    guild_id: discord.guildOf(options.channelId ?? discord.channelIds[0]!),
    author: { ...userObject(by), bot: options.bot ?? false },
    member: { roles: [], joined_at: new Date().toISOString(), deaf: false, mute: false, flags: 0 },
    content,
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: options.mentions ?? [],
    mention_roles: [],
    attachments: [],
    embeds: [],
    components: [],
    pinned: false,
    type: 0,
    flags: 0,
  };
}

function userObject(m: Member) {
  return { id: m.id, username: m.name, discriminator: '0', global_name: m.name, avatar: null };
}
