// The expression editor: CodeMirror 6 with PromQL highlighting, linting and
// autocompletion (metric names, label names and values, functions) fetched
// from this server's API by codemirror-promql. Enter runs the query,
// Shift+Enter inserts a line break.
import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap, insertNewlineAndIndent } from '@codemirror/commands';
import { bracketMatching, defaultHighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { EditorState } from '@codemirror/state';
import { EditorView, drawSelection, highlightSpecialChars, keymap, placeholder } from '@codemirror/view';
import { PromQLExtension } from '@prometheus-io/codemirror-promql';

// One client for every panel, so the metric list is fetched once a minute at most.
let promql: PromQLExtension | null = null;
function promqlExtension(): PromQLExtension {
  if (!promql) {
    promql = new PromQLExtension().setComplete({
      remote: { url: '', httpMethod: 'GET', cache: { maxAge: 60_000 } },
    });
  }
  return promql;
}

export function createEditor(parent: HTMLElement, doc: string, onRun: () => void, onChange: (expr: string) => void): EditorView {
  return new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        history(),
        drawSelection(),
        highlightSpecialChars(),
        closeBrackets(),
        bracketMatching(),
        autocompletion(),
        syntaxHighlighting(defaultHighlightStyle),
        placeholder('Expression (press Shift+Enter for newlines)'),
        EditorView.lineWrapping,
        keymap.of([
          { key: 'Enter', run: () => (onRun(), true) },
          { key: 'Shift-Enter', run: insertNewlineAndIndent },
          ...closeBracketsKeymap,
          ...defaultKeymap,
          ...historyKeymap,
          ...completionKeymap,
        ]),
        promqlExtension().asExtension(),
        EditorView.updateListener.of((u) => {
          if (u.docChanged) onChange(u.state.doc.toString());
        }),
      ],
    }),
  });
}
