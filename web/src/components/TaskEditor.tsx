// Edit a task's title, notes, due date/time, reminder and repetition (the task's menu).
import { useEffect, useState } from 'preact/hooks';
import { api, errorMessage } from '../api/client';
import type { Task, TimeZoneName } from '../api/types';
import { browserZone, dueMoment, localParts } from '../lib/format';
import { enableNotificationsOnce, presetOf, ruleFor, type Repeat } from '../lib/reminders';
import { toast } from '../lib/toast';
import { app, upsertTaskLocal } from '../state';
import { Dialog } from './Dialog';

const BEFORE = [
  ['0', 'At the due time'],
  ['5', '5 minutes before'],
  ['10', '10 minutes before'],
  ['30', '30 minutes before'],
  ['60', '1 hour before'],
  ['1440', '1 day before'],
] as const;

function initial(task: Task) {
  const due = dueMoment(task);
  const parts = due ? localParts(due) : { date: '', time: '' };
  const reminder = task.remind_before_minutes != null ? String(task.remind_before_minutes) : task.remind_at ? 'custom' : '';
  const { repeat, interval } = presetOf(task.recurrence);
  return {
    title: task.title,
    description: task.description ?? '',
    date: parts.date,
    time: task.due_all_day ? '' : parts.time,
    reminder,
    remindAt: task.remind_at ? localParts(new Date(task.remind_at)).date + 'T' + localParts(new Date(task.remind_at)).time : '',
    repeat,
    interval,
  };
}

export function TaskEditor({ task, onClose }: { task: Task | null; onClose: () => void }) {
  const [f, setF] = useState(() => (task ? initial(task) : null));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  useEffect(() => {
    setF(task ? initial(task) : null);
    setError('');
  }, [task?.id]);
  if (!task || !f) return null;
  const set = (patch: Partial<typeof f>) => setF({ ...f, ...patch });
  const value = (e: Event) => (e.target as HTMLInputElement).value;

  const save = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    const due = f.date ? (f.time ? `${f.date}T${f.time}` : f.date) : null;
    const dueDate = f.date ? new Date(`${f.date}T${f.time || '00:00'}`) : null;
    const body = {
      title: f.title,
      description: f.description,
      due_at: due,
      time_zone: (app.get().user?.time_zone || browserZone()) as TimeZoneName,
      recurrence: ruleFor(f.repeat as Repeat, f.interval, dueDate),
      remind_before_minutes: f.reminder && f.reminder !== 'custom' ? Number(f.reminder) : null,
      remind_at: f.reminder === 'custom' && f.remindAt ? new Date(f.remindAt).toISOString() : null,
    };
    try {
      upsertTaskLocal(await api.updateTask(task.id, body));
      if (f.reminder) void enableNotificationsOnce();
      onClose();
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const seriesAction = async (action: 'skip' | 'end') => {
    try {
      upsertTaskLocal(action === 'skip' ? await api.skipOccurrence(task.id) : await api.endSeries(task.id));
      onClose();
    } catch (err) {
      toast(errorMessage(err), 'error');
    }
  };

  return (
    <Dialog open title="Edit task" onClose={onClose} testid="task-editor">
      <form class="form-card" onSubmit={save}>
        <label class="field">
          <span>Title</span>
          <input type="text" value={f.title} onInput={(e) => set({ title: value(e) })} data-testid="task-edit-title" data-autofocus />
        </label>
        <label class="field">
          <span>Notes</span>
          <textarea rows={3} value={f.description} onInput={(e) => set({ description: value(e) })} data-testid="task-edit-description" />
        </label>
        <div class="field-row">
          <label class="field">
            <span>Due date</span>
            <input type="date" value={f.date} onInput={(e) => set({ date: value(e) })} data-testid="task-edit-date" />
          </label>
          <label class="field">
            <span>Time (optional)</span>
            <input type="time" value={f.time} disabled={!f.date} onInput={(e) => set({ time: value(e) })} data-testid="task-edit-time" />
          </label>
        </div>
        <div class="field-row">
          <label class="field">
            <span>Reminder</span>
            <select value={f.reminder} onChange={(e) => set({ reminder: value(e) })} data-testid="task-edit-reminder">
              <option value="">None</option>
              {BEFORE.map(([v, label]) => (
                <option key={v} value={v} disabled={!f.date}>
                  {label}
                </option>
              ))}
              <option value="custom">At a time…</option>
            </select>
          </label>
          {f.reminder === 'custom' && (
            <label class="field">
              <span>Remind at</span>
              <input type="datetime-local" step={1} value={f.remindAt} onInput={(e) => set({ remindAt: value(e) })} data-testid="task-edit-remind-at" />
            </label>
          )}
        </div>
        <div class="field-row">
          <label class="field">
            <span>Repeat</span>
            <select value={f.repeat} disabled={!f.date} onChange={(e) => set({ repeat: value(e) as Repeat })} data-testid="task-edit-repeat">
              <option value="">Never</option>
              <option value="daily">Daily</option>
              <option value="weekdays">Every weekday</option>
              <option value="weekly">Weekly</option>
              <option value="monthly">Monthly</option>
              <option value="yearly">Yearly</option>
            </select>
          </label>
          {f.repeat && f.repeat !== 'weekdays' && (
            <label class="field">
              <span>Every</span>
              <input type="number" min={1} max={99} value={f.interval} onInput={(e) => set({ interval: Math.max(1, Number(value(e)) || 1) })} data-testid="task-edit-interval" />
            </label>
          )}
        </div>
        {error && (
          <p class="form-error" role="alert" data-testid="task-edit-error">
            {error}
          </p>
        )}
        <div class="form-actions">
          {task.recurrence && (
            <>
              <button type="button" class="btn" onClick={() => void seriesAction('skip')} data-testid="task-skip">
                Skip this one
              </button>
              <button type="button" class="btn" onClick={() => void seriesAction('end')} data-testid="task-end-series">
                Stop repeating
              </button>
            </>
          )}
          <button type="button" class="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="btn btn-primary" disabled={busy} data-testid="task-edit-save">
            {busy ? 'Saving…' : 'Save'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
