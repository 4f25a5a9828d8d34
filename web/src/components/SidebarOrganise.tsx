// Sidebar sections: a search button (the quick switcher), favourites and tags.
import { noteTitle } from '../lib/format';
import { href } from '../lib/router';
import { useStore } from '../lib/store';
import { organise } from '../organise';
import { ui } from '../ui';
import { Icon } from './icons';
import { openSwitcher } from './QuickSwitcher';

export function SidebarSearchButton() {
  return (
    <button type="button" class="nav-link" data-nav data-testid="nav-search" onClick={() => (ui.set({ drawerOpen: false }), openSwitcher())}>
      <Icon name="search" /> <span>Search</span> <kbd class="nav-kbd">Ctrl K</kbd>
    </button>
  );
}

export function SidebarOrganise() {
  const favourites = useStore(organise, (s) => s.favourites);
  const tags = useStore(organise, (s) => s.tags);
  const close = () => ui.set({ drawerOpen: false });
  return (
    <>
      {favourites.length > 0 && (
        <section class="sidebar-section" aria-labelledby="fav-heading">
          <div class="section-head">
            <h2 id="fav-heading">Favourites</h2>
          </div>
          <ul class="tree" data-testid="sidebar-favourites">
            {favourites.map((n) => (
              <li key={n.id}>
                <a href={href.note(n.id)} class="tree-link tree-note" data-nav data-testid="sidebar-favourite" data-id={n.id} onClick={close}>
                  <Icon name="star" size={15} />
                  <span class="tree-label">{noteTitle(n.title)}</span>
                </a>
              </li>
            ))}
          </ul>
        </section>
      )}
      {tags.length > 0 && (
        <section class="sidebar-section" aria-labelledby="tags-heading">
          <div class="section-head">
            <h2 id="tags-heading">Tags</h2>
          </div>
          <ul class="tree" data-testid="sidebar-tags">
            {tags.map((t) => (
              <li key={t.name}>
                <a
                  href={href.search({ tag: t.name })}
                  class="tree-link"
                  style={{ paddingLeft: `${0.5 + 0.9 * (t.name.split('/').length - 1)}rem` }}
                  data-nav
                  data-testid="sidebar-tag"
                  data-tag={t.name}
                  onClick={close}
                >
                  <Icon name="tag" size={15} />
                  <span class="tree-label">{t.name.split('/').pop()}</span>
                  <span class="tree-count" aria-label={`${t.count} notes`}>
                    {t.count}
                  </span>
                </a>
              </li>
            ))}
          </ul>
        </section>
      )}
    </>
  );
}
