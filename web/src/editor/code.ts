// Code blocks: syntax highlighting by lowlight (highlight.js grammars, as decorations) and
// a language picker on the block. The language is the node's `language` attribute, which
// the server keeps as the block's `metadata.language`.
import CodeBlockLowlight from '@tiptap/extension-code-block-lowlight';
import { common, createLowlight } from 'lowlight';

const lowlight = createLowlight(common);

// Names that are not just the capitalised id.
const NAMES: Record<string, string> = {
  cpp: 'C++',
  csharp: 'C#',
  css: 'CSS',
  graphql: 'GraphQL',
  javascript: 'JavaScript',
  json: 'JSON',
  objectivec: 'Objective-C',
  php: 'PHP',
  'php-template': 'PHP template',
  scss: 'SCSS',
  sql: 'SQL',
  typescript: 'TypeScript',
  vbnet: 'VB.NET',
  wasm: 'WebAssembly',
  xml: 'HTML / XML',
  yaml: 'YAML',
};

/** The languages offered in the picker: [id, name], plain text first. */
export const LANGUAGES: Array<[string, string]> = [
  ['', 'Plain text'],
  ...lowlight
    .listLanguages()
    .filter((id) => id !== 'plaintext')
    .map((id): [string, string] => [id, NAMES[id] ?? id[0].toUpperCase() + id.slice(1)])
    .sort((a, b) => a[1].localeCompare(b[1])),
];

export const CodeBlock = CodeBlockLowlight.extend({
  addNodeView() {
    return ({ node, getPos, editor }) => {
      let current = node;
      // The picker sits inside the <pre>, so the block stays one <pre> element.
      const dom = document.createElement('pre');
      dom.className = 'blk-code';
      dom.spellcheck = false;
      const picker = document.createElement('select');
      picker.className = 'code-lang';
      picker.contentEditable = 'false';
      picker.setAttribute('aria-label', 'Code language');
      picker.setAttribute('data-testid', 'code-language');
      const known = new Set(LANGUAGES.map(([id]) => id));
      const fill = (language: string) => {
        picker.replaceChildren(
          ...(known.has(language) ? LANGUAGES : [...LANGUAGES, [language, language] as [string, string]]).map(([id, name]) => {
            const option = document.createElement('option');
            option.value = id;
            option.textContent = name;
            return option;
          }),
        );
        picker.value = language;
      };
      const code = document.createElement('code');
      dom.append(picker, code);
      const sync = (n: typeof node) => {
        const language = typeof n.attrs.language === 'string' ? n.attrs.language : '';
        if (picker.value !== language || !picker.options.length) fill(language);
        picker.disabled = !editor.isEditable;
        code.className = language ? `language-${language}` : '';
        if (n.attrs.blockId) dom.setAttribute('data-blockid', String(n.attrs.blockId));
      };
      sync(node);
      // A note opens read-only and turns editable once its document is loaded: the picker
      // follows (Tiptap announces setEditable as an update).
      const followEditable = () => {
        picker.disabled = !editor.isEditable;
      };
      editor.on('update', followEditable);
      picker.addEventListener('change', () => {
        const pos = typeof getPos === 'function' ? getPos() : undefined;
        if (!editor.isEditable || typeof pos !== 'number') return;
        editor.view.dispatch(editor.state.tr.setNodeMarkup(pos, undefined, { ...current.attrs, language: picker.value || null }));
      });
      return {
        dom,
        contentDOM: code,
        update: (n) => {
          if (n.type !== current.type) return false;
          current = n;
          sync(n);
          return true;
        },
        ignoreMutation: (m) => picker.contains(m.target) || (m.type === 'attributes' && m.target === dom),
        stopEvent: (e) => picker.contains(e.target as Node),
        destroy: () => editor.off('update', followEditable),
      };
    };
  },
}).configure({ lowlight, defaultLanguage: null, HTMLAttributes: { class: 'blk-code', spellcheck: 'false' } });
