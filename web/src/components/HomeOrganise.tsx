// Home: pinned notes and favourites, above the recent notes.
import type { Note } from '../api/types';
import { useStore } from '../lib/store';
import { organise } from '../organise';
import { app, recentNotes } from '../state';
import { NoteRow, onListKeyDown } from './Rows';

function Card({ id, title, notes, testid }: { id: string; title: string; notes: Note[]; testid: string }) {
  return (
    <section aria-labelledby={id} class="card">
      <div class="card-head">
        <h2 id={id}>{title}</h2>
      </div>
      <ul class="rows" data-testid={testid} onKeyDown={onListKeyDown}>
        {notes.map((n) => (
          <NoteRow key={n.id} note={n} showNotebook />
        ))}
      </ul>
    </section>
  );
}

export function HomeOrganise() {
  const notes = useStore(app, (s) => s.notes);
  const favourites = useStore(organise, (s) => s.favourites);
  const pinned = recentNotes(notes).filter((n) => n.pinned);
  const starred = favourites.map((f) => notes.find((n) => n.id === f.id) ?? f);
  if (!pinned.length && !starred.length) return null;
  return (
    <div class="home-grid home-organise">
      {pinned.length > 0 && <Card id="pinned-h" title="Pinned" notes={pinned} testid="home-pinned" />}
      {starred.length > 0 && <Card id="fav-h" title="Favourites" notes={starred} testid="home-favourites" />}
    </div>
  );
}
