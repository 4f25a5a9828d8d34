// Domain shapes as the server returns them (contract section 5): aliases of the
// schema generated from the server's OpenAPI document (`make openapi`), narrowed only
// where the UI builds values itself (a block the editor creates has no timestamps yet).
// The WebSocket events' types come from the same document (ServerEvent).
import type { components } from './schema';

export type Role = 'owner' | 'editor' | 'viewer';

export type User = components['schemas']['UserOut'];

export type TokenResponse = components['schemas']['Tokens'];

export type Notebook = components['schemas']['NotebookOut'];

/** An IANA zone name, as the server lists them for task schedules. */
export type TimeZoneName = NonNullable<components['schemas']['TaskCreate']['time_zone']>;

export interface Span {
  start: number;
  /** Inclusive index of the last character. */
  end: number;
  type: 'bold' | 'italics' | 'underline' | 'strikethrough' | 'link' | 'code';
  href?: string;
}

export interface BlockMetadata {
  spans?: Span[];
  level?: number;
  listType?: 'ordered' | 'unordered';
  item_type?: 'ordered' | 'unordered';
  is_completed?: boolean;
  task_id?: string;
  language?: string;
  [key: string]: unknown;
}

/** The server's block, with the metadata keys the editor reads. */
export type Block = Omit<components['schemas']['BlockOut'], 'metadata' | 'content' | 'user_id' | 'created_at' | 'updated_at' | 'deleted_at'> &
  Partial<Pick<components['schemas']['BlockOut'], 'user_id' | 'created_at' | 'updated_at' | 'deleted_at'>> & {
    content: { text?: string; [key: string]: unknown };
    metadata?: BlockMetadata | null;
  };

export type Note = Omit<components['schemas']['NoteOut'], 'blocks'> & { blocks?: Block[] | null };

export type Task = components['schemas']['TaskOut'];

export type Trash = components['schemas']['TrashContents'];

export type Share = components['schemas']['ShareOut'];

export interface Message {
  message: string;
  token?: string;
  [key: string]: unknown;
}

/** A file in a note (`/api/v1/attachments`); its type and size come from its bytes. */
export type Attachment = components['schemas']['AttachmentOut'];

/** A server event as published in the OpenAPI components: a union discriminated by `event`. */
export type ServerEvent = components['schemas']['ServerEvent'];
export type ServerEventName = ServerEvent['event'];

/** Any server → client WebSocket envelope (contract section 7.2): events, pongs, receipts. */
export interface WsEnvelope {
  id?: string;
  type: string;
  event?: string;
  timestamp?: string;
  payload?: WsPayload | null;
  resource_id?: string;
  resource_type?: string;
}

export interface WsPayload {
  event_id?: string;
  note_id?: string;
  notebook_id?: string;
  block_id?: string;
  task_id?: string;
  user_id?: string;
  updated_at?: string;
  content?: unknown;
  metadata?: unknown;
  order?: unknown;
  title?: string;
  is_completed?: boolean;
  [key: string]: unknown;
}

export interface CalendarFeed {
  url: string;
  token: string;
}

/** One search hit (GET /search). ``snippet`` is HTML: escaped text with <mark> around matches. */
export type SearchResult = components['schemas']['SearchResult'];
export type SearchPage = components['schemas']['SearchPage'];
export type TagCount = components['schemas']['TagOut'];

export interface SearchQuery {
  q: string;
  notebook_id?: string;
  tag?: string;
  kind?: 'note' | 'task';
  limit?: number;
  cursor?: string;
}
