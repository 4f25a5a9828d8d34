// Tables (Tiptap's table extension, prosemirror-tables underneath). A cell holds one line
// of formatted text, not blocks: a table is one server block (see blocks.ts).
import { Extension, type Extensions } from '@tiptap/core';
import { Table, TableCell, TableHeader, TableRow } from '@tiptap/extension-table';
import { Plugin, PluginKey } from '@tiptap/pm/state';

/**
 * Text copied from a spreadsheet comes as tab-separated lines (with an HTML table beside it
 * in most apps; the HTML is parsed as a table by the schema). Plain tab-separated text of
 * two or more cells becomes a table too.
 */
const TabSeparatedPaste = Extension.create({
  name: 'owlTabSeparatedPaste',
  addProseMirrorPlugins() {
    const editor = this.editor;
    return [
      new Plugin({
        key: new PluginKey('owlTabSeparatedPaste'),
        props: {
          // Cells hold inline text: paragraphs and line breaks in pasted cells (web pages,
          // office apps) would otherwise split the table apart.
          transformPastedHTML: (html) => {
            if (!/<t[dh][\s>]/i.test(html)) return html;
            const doc = new DOMParser().parseFromString(html, 'text/html');
            for (const cell of doc.querySelectorAll('td, th')) {
              for (const block of [...cell.querySelectorAll('p, div, h1, h2, h3, h4, h5, h6, li, br')].reverse()) {
                if (block.tagName === 'BR') block.replaceWith(' ');
                else block.replaceWith(...(block.previousSibling ? [' '] : []), ...block.childNodes);
              }
            }
            return doc.body.innerHTML;
          },
          handlePaste: (_view, event) => {
            const data = event.clipboardData;
            if (!data || data.types.includes('text/html') || editor.isActive('table') || editor.isActive('codeBlock')) return false;
            const text = data.getData('text/plain').replace(/\r\n?/g, '\n').replace(/\n+$/, '');
            if (!text.includes('\t')) return false;
            const rows = text.split('\n').map((line) => line.split('\t'));
            const width = Math.max(...rows.map((r) => r.length));
            return editor
              .chain()
              .insertContent({
                type: 'table',
                content: rows.map((r) => ({
                  type: 'tableRow',
                  content: [...r, ...Array<string>(width - r.length).fill('')].map((cell) => ({
                    type: 'tableCell',
                    content: cell ? [{ type: 'text', text: cell }] : [],
                  })),
                })),
              })
              .run();
          },
        },
      }),
    ];
  },
});

export function tableExtensions(): Extensions {
  return [
    Table.configure({ resizable: false, HTMLAttributes: { class: 'blk-table' } }),
    TableRow,
    TableHeader.extend({ content: 'inline*' }),
    TableCell.extend({ content: 'inline*' }),
    TabSeparatedPaste,
  ];
}
