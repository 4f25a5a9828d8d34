// Due dates in place: a checklist item's due date, reminder and repetition are attributes
// of its node (so co-editors see them at once and they are part of the note's document);
// the server mirrors them into the item's task and back (owlistic/collab/schema.py).
// The item shows them as a chip; typing `@tomorrow` or `@fri 9:00` offers the date, and
// the chip opens a picker.
import { Extension, type Editor } from '@tiptap/core';
import { Plugin, PluginKey, type EditorState, type Transaction } from '@tiptap/pm/state';
import { Decoration, DecorationSet, type EditorView } from '@tiptap/pm/view';
import type { Node as PMNode } from '@tiptap/pm/model';
import * as chrono from 'chrono-node';
import { isChangeOrigin } from '@tiptap/extension-collaboration';
import { browserZone, dueSection, dueText, localParts } from '../lib/format';
import { describeRule, presetOf, ruleFor, type Repeat } from '../lib/reminders';

/** The schedule attributes of a `taskBlock` (null: absent from the document). `due` decides:
 * a node without it says nothing about its task's schedule, `''` means no due date. */
export interface Schedule {
  due: string | null;
  timeZone: string | null;
  remindAt: string | null;
  remindBefore: number | null;
  repeat: string | null;
}

const NONE: Schedule = { due: null, timeZone: null, remindAt: null, remindBefore: null, repeat: null };
const ATTRS = Object.keys(NONE) as (keyof Schedule)[];
// The longest `@…` text offered as a date ("@next friday at 9:30" and a little more).
const MAX_QUERY = 40;
const QUERY = new RegExp(`(^|\\s)@([^@\\n]{1,${MAX_QUERY}})$`);

const pad = (n: number) => String(n).padStart(2, '0');

/** `YYYY-MM-DD` for all day, else an RFC 3339 local time with this browser's offset, in
 * the form the server writes back (`2027-03-15T08:00:00+01:00`), so nothing is rewritten. */
export function dueString(at: Date, allDay: boolean): string {
  const day = `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
  if (allDay) return day;
  const offset = -at.getTimezoneOffset();
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  return `${day}T${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** The date an `@…` text means, if all of it is one (chrono-node, future dates preferred). */
export function parseTyped(text: string, now = new Date()): { due: string; allDay: boolean } | null {
  const query = text.trim();
  if (!query) return null;
  const [result] = chrono.parse(query, now, { forwardDate: true });
  if (!result || result.index !== 0 || result.text.length < query.length) return null;
  const allDay = !result.start.isCertain('hour');
  const at = result.start.date();
  if (allDay) at.setHours(0, 0, 0, 0);
  return { due: dueString(at, allDay), allDay };
}

export function scheduleOf(node: PMNode): Schedule {
  const out = { ...NONE };
  for (const key of ATTRS) {
    const value = node.attrs[key];
    if (key === 'remindBefore') out.remindBefore = typeof value === 'number' ? value : null;
    else out[key] = typeof value === 'string' ? value : null;
  }
  return out;
}

/** What the chip says: "Tomorrow 09:00 · 🔔 · ↻", or null when there is nothing to show. */
export function chipLabel(s: Schedule): string | null {
  if (!s.due && !s.remindAt) return null;
  const parts: string[] = [];
  if (s.due) parts.push(dueText({ due_date: s.due, due_all_day: s.due.length === 10, is_completed: false }));
  if (s.remindAt || s.remindBefore != null) parts.push('🔔');
  if (s.due && s.repeat) parts.push('↻');
  return parts.join(' · ');
}

function setSchedule(view: EditorView, blockId: string, schedule: Schedule): void {
  let found: number | null = null;
  view.state.doc.forEach((node, pos) => {
    if (node.type.name === 'taskBlock' && node.attrs.blockId === blockId) found = pos;
  });
  if (found === null) return;
  const node = view.state.doc.nodeAt(found);
  if (!node) return;
  view.dispatch(view.state.tr.setNodeMarkup(found, undefined, { ...node.attrs, ...schedule }));
}

// ------------------------------------------------------------------ typed dates

interface Suggestion {
  from: number; // the '@'
  to: number; // the caret
  due: string;
  allDay: boolean;
}

interface DueState {
  suggestion: Suggestion | null;
  dismissedAt: number | null; // the '@' whose suggestion Escape closed
}

const dueKey = new PluginKey<DueState>('owlDueDates');

function suggest(state: EditorState, dismissedAt: number | null): Suggestion | null {
  const { selection } = state;
  if (!selection.empty) return null;
  const { $from } = selection;
  if ($from.depth !== 1 || $from.parent.type.name !== 'taskBlock') return null;
  const before = $from.parent.textBetween(0, $from.parentOffset, undefined, '\ufffc');
  const match = QUERY.exec(before);
  if (!match) return null;
  const from = $from.pos - match[2].length - 1;
  if (from === dismissedAt) return null;
  const parsed = parseTyped(match[2]);
  return parsed ? { from, to: $from.pos, ...parsed } : null;
}

function accept(view: EditorView, s: Suggestion): boolean {
  const { state } = view;
  const $at = state.doc.resolve(s.from);
  const node = $at.parent;
  const start = s.from > $at.start() && state.doc.textBetween(s.from - 1, s.from) === ' ' ? s.from - 1 : s.from;
  const tr = state.tr.delete(start, s.to);
  tr.setNodeMarkup($at.before(), undefined, {
    ...node.attrs,
    due: s.due,
    timeZone: browserZone(),
    repeat: node.attrs.repeat ?? null,
    remindBefore: s.allDay ? null : node.attrs.remindBefore ?? null,
  });
  view.dispatch(tr);
  return true;
}

class SuggestionView {
  private readonly el: HTMLElement;

  constructor(private readonly view: EditorView) {
    this.el = document.createElement('div');
    this.el.className = 'due-suggestion';
    this.el.setAttribute('role', 'status');
    this.el.setAttribute('data-testid', 'due-suggestion');
    this.el.hidden = true;
    this.el.addEventListener('mousedown', (e) => {
      e.preventDefault();
      const s = dueKey.getState(this.view.state)?.suggestion;
      if (s) accept(this.view, s);
    });
    document.body.append(this.el);
    this.update();
  }

  update(): void {
    const s = dueKey.getState(this.view.state)?.suggestion;
    if (!s || !this.view.editable) {
      this.el.hidden = true;
      return;
    }
    const at = this.view.coordsAtPos(s.from);
    this.el.textContent = `Due ${dueText({ due_date: s.due, due_all_day: s.allDay, is_completed: false })} — Enter`;
    this.el.style.left = `${Math.round(at.left + window.scrollX)}px`;
    this.el.style.top = `${Math.round(at.bottom + window.scrollY + 4)}px`;
    this.el.hidden = false;
  }

  destroy(): void {
    this.el.remove();
  }
}

// ------------------------------------------------------------------ the picker

let openPicker: HTMLElement | null = null;

function closePicker(): void {
  openPicker?.remove();
  openPicker = null;
}

const BEFORE: [string, string][] = [
  ['', 'No reminder'],
  ['0', 'At the due time'],
  ['10', '10 minutes before'],
  ['60', '1 hour before'],
  ['1440', '1 day before'],
];

function field(label: string, control: HTMLElement): HTMLElement {
  const wrap = document.createElement('label');
  wrap.className = 'field';
  const span = document.createElement('span');
  span.textContent = label;
  wrap.append(span, control);
  return wrap;
}

function input(type: string, value: string, testid: string): HTMLInputElement {
  const el = document.createElement('input');
  el.type = type;
  el.value = value;
  el.setAttribute('data-testid', testid);
  return el;
}

function select(options: [string, string][], value: string, testid: string): HTMLSelectElement {
  const el = document.createElement('select');
  for (const [v, text] of options) el.add(new Option(text, v, false, v === value));
  el.setAttribute('data-testid', testid);
  return el;
}

function showPicker(view: EditorView, anchor: HTMLElement, blockId: string, current: Schedule): void {
  closePicker();
  const panel = document.createElement('form');
  panel.className = 'due-picker card';
  panel.setAttribute('data-testid', 'due-picker');
  panel.setAttribute('aria-label', 'Due date');
  const due = current.due ? new Date(current.due.length === 10 ? `${current.due}T00:00` : current.due) : null;
  const parts = due && !Number.isNaN(due.getTime()) ? localParts(due) : { date: '', time: '' };
  const date = input('date', parts.date, 'due-picker-date');
  const time = input('time', current.due && current.due.length > 10 ? parts.time : '', 'due-picker-time');
  const reminder = select(BEFORE, current.remindBefore != null ? String(current.remindBefore) : '', 'due-picker-reminder');
  const { repeat } = presetOf(current.repeat);
  const repeats = select(
    [['', 'Never'], ['daily', 'Daily'], ['weekdays', 'Every weekday'], ['weekly', 'Weekly'], ['monthly', 'Monthly'], ['yearly', 'Yearly']],
    repeat,
    'due-picker-repeat',
  );
  const save = document.createElement('button');
  save.type = 'submit';
  save.className = 'btn btn-primary';
  save.textContent = 'Set';
  save.setAttribute('data-testid', 'due-picker-save');
  const clear = document.createElement('button');
  clear.type = 'button';
  clear.className = 'btn';
  clear.textContent = 'Clear';
  clear.setAttribute('data-testid', 'due-picker-clear');
  const actions = document.createElement('div');
  actions.className = 'form-actions';
  actions.append(clear, save);
  panel.append(field('Date', date), field('Time', time), field('Reminder', reminder), field('Repeat', repeats), actions);
  panel.addEventListener('submit', (e) => {
    e.preventDefault();
    if (!date.value) {
      setSchedule(view, blockId, { ...NONE, due: '' });
      closePicker();
      return;
    }
    const allDay = !time.value;
    const at = new Date(`${date.value}T${time.value || '00:00'}`);
    const before = reminder.value === '' ? null : Number(reminder.value);
    setSchedule(view, blockId, {
      due: dueString(at, allDay),
      timeZone: browserZone(),
      remindAt: null,
      remindBefore: before,
      repeat: ruleFor(repeats.value as Repeat, 1, at),
    });
    closePicker();
  });
  clear.addEventListener('click', () => {
    setSchedule(view, blockId, { ...NONE, due: '' });
    closePicker();
  });
  panel.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') {
      e.preventDefault();
      closePicker();
      view.focus();
    }
  });
  const box = anchor.getBoundingClientRect();
  panel.style.left = `${Math.round(box.left + window.scrollX)}px`;
  panel.style.top = `${Math.round(box.bottom + window.scrollY + 4)}px`;
  document.body.append(panel);
  openPicker = panel;
  date.focus();
  // A click anywhere else closes it.
  setTimeout(() => {
    const away = (e: MouseEvent) => {
      if (openPicker === panel && !panel.contains(e.target as Node)) {
        closePicker();
        document.removeEventListener('mousedown', away, true);
      }
    };
    document.addEventListener('mousedown', away, true);
  });
}

// ------------------------------------------------------------------ the chip

function chips(doc: PMNode, editor: Editor): DecorationSet {
  const decorations: Decoration[] = [];
  doc.forEach((node, pos) => {
    if (node.type.name !== 'taskBlock') return;
    const schedule = scheduleOf(node);
    const label = chipLabel(schedule);
    const blockId = typeof node.attrs.blockId === 'string' ? node.attrs.blockId : null;
    if (!label || !blockId) return;
    const overdue = !!schedule.due && dueSection({ due_date: schedule.due, due_all_day: schedule.due.length === 10, is_completed: !!node.attrs.checked }) === 'overdue';
    const title = [schedule.due ? `Due ${label}` : 'Reminder', schedule.repeat ? describeRule(schedule.repeat) : ''].filter(Boolean).join(', ');
    decorations.push(
      Decoration.widget(
        pos + node.nodeSize - 1,
        (view) => {
          const chip = document.createElement('button');
          chip.type = 'button';
          chip.className = `due-chip${overdue ? ' overdue' : ''}`;
          chip.contentEditable = 'false';
          chip.textContent = label;
          chip.title = title;
          chip.setAttribute('aria-label', title);
          chip.setAttribute('data-testid', 'due-chip');
          chip.addEventListener('mousedown', (e) => e.preventDefault());
          chip.addEventListener('click', (e) => {
            e.preventDefault();
            if (editor.isEditable) showPicker(view, chip, blockId, schedule);
          });
          return chip;
        },
        { side: 1, key: `due:${blockId}:${label}:${overdue}`, ignoreSelection: true, stopEvent: () => true },
      ),
    );
  });
  return DecorationSet.create(doc, decorations);
}

/** A new item made by Enter in a dated one (a split copies the node's attributes) starts
 * without a date; pasted items keep theirs. */
function undatedSplits(transactions: readonly Transaction[], before: EditorState, after: EditorState): Transaction | null {
  if (!transactions.some((tr) => tr.docChanged) || transactions.some((tr) => isChangeOrigin(tr) || tr.getMeta('paste') || tr.getMeta('uiEvent') === 'paste')) {
    return null;
  }
  if (after.doc.childCount <= before.doc.childCount) return null; // a split adds a node
  const known = new Set<string>();
  before.doc.forEach((node) => {
    if (typeof node.attrs.blockId === 'string') known.add(node.attrs.blockId);
  });
  const seen = new Set<string>();
  let tr: Transaction | null = null;
  after.doc.forEach((node, pos) => {
    const id = typeof node.attrs.blockId === 'string' ? node.attrs.blockId : null;
    const fresh = id === null || !known.has(id) || seen.has(id);
    if (id) seen.add(id);
    if (node.type.name !== 'taskBlock' || !fresh || node.attrs.due == null) return;
    tr = (tr ?? after.tr).setNodeMarkup(pos, undefined, { ...node.attrs, ...NONE });
  });
  return tr;
}

export const DueDates = Extension.create({
  name: 'owlDueDates',
  // Ahead of the list keymaps: Enter accepts an offered date instead of splitting the item.
  priority: 1000,
  addGlobalAttributes() {
    const data = (name: string, numeric = false) => ({
      default: null,
      keepOnSplit: false,
      parseHTML: (el: HTMLElement) => {
        const value = el.getAttribute(`data-${name}`);
        return value === null ? null : numeric ? Number(value) : value;
      },
      renderHTML: (attrs: Record<string, unknown>) => {
        const key = { due: 'due', 'time-zone': 'timeZone', 'remind-at': 'remindAt', 'remind-before': 'remindBefore', repeat: 'repeat' }[name] as keyof Schedule;
        return attrs[key] == null ? {} : { [`data-${name}`]: String(attrs[key]) };
      },
    });
    return [
      {
        types: ['taskBlock'],
        attributes: {
          due: data('due'),
          timeZone: data('time-zone'),
          remindAt: data('remind-at'),
          remindBefore: data('remind-before', true),
          repeat: data('repeat'),
        },
      },
    ];
  },
  addProseMirrorPlugins() {
    const editor = this.editor;
    return [
      new Plugin<DueState>({
        key: dueKey,
        state: {
          init: () => ({ suggestion: null, dismissedAt: null }),
          apply: (tr, prev, _old, state) => {
            const dismissed = tr.getMeta(dueKey) as number | undefined;
            const dismissedAt = dismissed ?? (prev.dismissedAt !== null ? tr.mapping.map(prev.dismissedAt) : null);
            return { suggestion: editor.isEditable ? suggest(state, dismissedAt) : null, dismissedAt };
          },
        },
        view: (view) => new SuggestionView(view),
        appendTransaction: undatedSplits,
        props: {
          decorations: (state) => chips(state.doc, editor),
          handleKeyDown: (view, event) => {
            const s = dueKey.getState(view.state)?.suggestion;
            if (!s) return false;
            if (event.key === 'Enter' || event.key === 'Tab') {
              event.preventDefault();
              return accept(view, s);
            }
            if (event.key === 'Escape') {
              view.dispatch(view.state.tr.setMeta(dueKey, s.from));
              return true;
            }
            return false;
          },
        },
      }),
    ];
  },
});
