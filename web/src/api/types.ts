// Domain shapes as the server returns them (contract section 5).
// These are the types the UI works with; the generated OpenAPI schema is only
// used inside client.ts to check endpoint paths and request bodies.

export type Role = 'owner' | 'editor' | 'viewer';

export interface User {
  id: string;
  email: string;
  username: string;
  display_name: string;
  profile_pic?: string | null;
  preferences?: Record<string, unknown> | null;
  /** IANA zone; null until the web app fills in the browser's. */
  time_zone?: string | null;
  email_reminders?: boolean;
  created_at: string;
  updated_at: string;
  deleted_at?: string | null;
}

export interface TokenResponse {
  token: string;
  access_token?: string;
  refresh_token?: string;
  token_type?: string;
  expires_in?: number;
}

export interface Notebook {
  id: string;
  user_id: string;
  name: string;
  description: string;
  notes?: Note[] | null;
  role?: Role | null;
  created_at: string;
  updated_at: string;
  deleted_at?: string | null;
}

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

export interface Block {
  id: string;
  user_id?: string;
  note_id: string;
  type: string;
  content: { text?: string; [key: string]: unknown } | string;
  metadata?: BlockMetadata | null;
  order: number | string;
  created_at?: string;
  updated_at?: string;
  deleted_at?: string | null;
}

export interface Note {
  id: string;
  user_id: string;
  notebook_id: string;
  title: string;
  blocks?: Block[] | null;
  tags?: string[] | null;
  /** The caller's role on the note (when the server says). */
  role?: Role | null;
  created_at: string;
  updated_at: string;
  deleted_at?: string | null;
}

export interface Task {
  id: string;
  user_id: string;
  note_id?: string | null;
  block_id?: string | null;
  title: string;
  description?: string;
  is_completed: boolean;
  due_date?: string | null;
  /** RFC 3339 in the task's zone; an all-day task's is the start of its day. */
  due_at?: string | null;
  due_all_day?: boolean;
  time_zone?: string;
  /** When the reminder goes off (absolute, or computed from remind_before_minutes). */
  remind_at?: string | null;
  remind_before_minutes?: number | null;
  /** RFC 5545 RRULE value, e.g. FREQ=WEEKLY;BYDAY=MO. */
  recurrence?: string | null;
  metadata?: { block_id?: string; note_id?: string; [key: string]: unknown } | null;
  created_at?: string;
  updated_at?: string;
  deleted_at?: string | null;
}

export interface Trash {
  notes: Note[];
  notebooks: Notebook[];
}

export interface Share {
  user_id: string;
  email?: string;
  username?: string;
  display_name?: string;
  role: Role;
}

export interface Message {
  message: string;
  token?: string;
  [key: string]: unknown;
}

/** A server → client WebSocket envelope (contract section 7.2). */
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
