// After opening a note from a search (#/notes/<id>?block=<id>&q=<words>): scroll the
// matched block into view and highlight the words there. The highlight uses the CSS Custom
// Highlight API, so the editor's DOM is never touched.
import { app, sortBlocks } from '../state';
import { parseRoute, routeParams } from './router';

const HIGHLIGHT = 'search-hit';
const WORD_CHAR = /[\p{L}\p{N}]/u;
const fold = (s: string) => s.normalize('NFKD').replace(/\p{Mn}/gu, '').toLowerCase();

function blockElement(noteId: string, blockId: string): HTMLElement | null {
  const root = document.querySelector<HTMLElement>('[data-testid="editor"]');
  if (!root) return null;
  const tagged = root.querySelector<HTMLElement>(`[data-blockid="${CSS.escape(blockId)}"]`);
  if (tagged) return tagged;
  const note = app.get().notes.find((n) => n.id === noteId);
  if (!note?.blocks?.length) return null;
  const blocks = sortBlocks(note.blocks);
  const index = blocks.findIndex((b) => b.id === blockId);
  if (index < 0) return null;
  const b = blocks[index];
  const text = (typeof b.content === 'string' ? b.content : (b.content?.text ?? '')).trim();
  const children = [...root.children] as HTMLElement[];
  // Else: the editor shows one top-level element per block, in order; text confirms it.
  const byIndex = children[index];
  if (byIndex && (!text || byIndex.textContent?.trim() === text)) return byIndex;
  return children.find((c) => text && c.textContent?.trim() === text) ?? byIndex ?? null;
}

/** Ranges of the words (accent- and case-insensitive, as the server matches) in `el`. */
function ranges(el: HTMLElement, words: string[]): Range[] {
  const out: Range[] = [];
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const raw = node.textContent ?? '';
    const folded = [...raw].map((c) => fold(c));
    // position in `raw` of each folded character
    const owner: number[] = [];
    let joined = '';
    folded.forEach((f, i) => {
      joined += f;
      for (let k = 0; k < f.length; k++) owner.push(i);
    });
    const chars = [...raw];
    const offset = (i: number) => chars.slice(0, i).join('').length;
    for (const w of words) {
      for (let at = joined.indexOf(w); at >= 0; at = joined.indexOf(w, at + w.length)) {
        // The whole word, as the last word of a query matches as a prefix.
        let end = at + w.length;
        while (end < joined.length && WORD_CHAR.test(joined[end])) end++;
        const r = document.createRange();
        r.setStart(node, offset(owner[at]));
        r.setEnd(node, offset(owner[end - 1] + 1));
        out.push(r);
      }
    }
  }
  return out;
}

function reveal(): void {
  const route = parseRoute();
  const params = routeParams();
  const blockId = params.get('block');
  CSS.highlights?.delete(HIGHLIGHT);
  if (route.name !== 'note' || (!blockId && !params.get('q'))) return;
  const words = fold(params.get('q') ?? '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);
  let tries = 0;
  const attempt = () => {
    const root = document.querySelector<HTMLElement>('[data-testid="editor"]');
    const el = root && (blockId ? blockElement(route.id, blockId) : root);
    if (!el) {
      if (++tries < 100) window.setTimeout(attempt, 50);
      return;
    }
    el.scrollIntoView({ block: 'center' });
    if (CSS.highlights && words.length) CSS.highlights.set(HIGHLIGHT, new Highlight(...ranges(el, words)));
  };
  attempt();
}

export function startReveal(): void {
  window.addEventListener('hashchange', reveal);
  reveal();
}
