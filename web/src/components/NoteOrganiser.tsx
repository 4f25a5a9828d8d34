// The note header's pin, star and tags (add with Enter or a comma, autocomplete from the
// caller's tags, remove with × or Backspace in the empty field).
import { useState } from 'preact/hooks';
import { useStore } from '../lib/store';
import { href } from '../lib/router';
import { organise, setFavourite, setPinned, setTags } from '../organise';
import { app } from '../state';
import { Icon } from './icons';

export function NoteOrganiser({ id, readOnly }: { id: string; readOnly: boolean }) {
  const note = useStore(app, (s) => s.notes.find((n) => n.id === id));
  const all = useStore(organise, (s) => s.tags);
  const starred = useStore(organise, (s) => s.favourites.some((n) => n.id === id));
  const [draft, setDraft] = useState('');
  if (!note) return null;
  const tags = note.tags ?? [];

  const add = async (raw: string) => {
    const name = raw.trim().replace(/^#/, '').trim();
    if (!name) return;
    if (await setTags(id, [...tags, name])) setDraft('');
  };
  const remove = (name: string) => void setTags(id, tags.filter((t) => t !== name));

  return (
    <div class="note-organise" data-testid="note-organise">
      <button
        type="button"
        class={`icon-btn${note.pinned ? ' on' : ''}`}
        aria-pressed={note.pinned === true}
        aria-label={note.pinned ? 'Unpin note' : 'Pin note'}
        title={note.pinned ? 'Unpin' : 'Pin to the top'}
        disabled={readOnly}
        onClick={() => void setPinned(id, !note.pinned)}
        data-testid="note-pin"
      >
        <Icon name="pin" />
      </button>
      <button
        type="button"
        class={`icon-btn${starred ? ' on' : ''}`}
        aria-pressed={starred}
        aria-label={starred ? 'Remove from favourites' : 'Add to favourites'}
        title={starred ? 'Favourite' : 'Add to favourites'}
        onClick={() => void setFavourite(note, !starred)}
        data-testid="note-favourite"
      >
        <Icon name="star" />
      </button>
      <ul class="tag-list" aria-label="Tags" data-testid="note-tags">
        {tags.map((t) => (
          <li key={t} class="tag-chip" data-testid="note-tag">
            <a href={href.search({ tag: t })}>#{t}</a>
            {!readOnly && (
              <button type="button" aria-label={`Remove tag ${t}`} onClick={() => remove(t)} data-testid="note-tag-remove">
                <Icon name="x" size={12} />
              </button>
            )}
          </li>
        ))}
      </ul>
      {!readOnly && (
        <>
          <input
            class="tag-input"
            type="text"
            list={`tags-${id}`}
            value={draft}
            placeholder="Add tag"
            aria-label="Add a tag"
            maxLength={100}
            onInput={(e) => {
              const v = (e.target as HTMLInputElement).value;
              if (v.endsWith(',')) void add(v.slice(0, -1));
              else setDraft(v);
            }}
            onKeyDown={(e) => {
              if (e.key === 'Enter') (e.preventDefault(), void add(draft));
              if (e.key === 'Backspace' && !draft && tags.length) remove(tags[tags.length - 1]);
            }}
            data-testid="note-tag-input"
          />
          <datalist id={`tags-${id}`}>
            {all
              .filter((t) => !tags.includes(t.name))
              .map((t) => (
                <option key={t.name} value={t.name} />
              ))}
          </datalist>
        </>
      )}
    </div>
  );
}
