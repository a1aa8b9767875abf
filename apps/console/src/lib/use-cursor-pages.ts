import { useCallback, useState } from 'react';

/** Cursor pagination state: the cursors of the pages seen so far, to go forward and back. */
export function useCursorPages(resetKey: string) {
  const [state, setState] = useState<{ resetKey: string; cursors: (string | undefined)[] }>({ resetKey, cursors: [undefined] });
  const cursors = state.resetKey === resetKey ? state.cursors : [undefined];
  const cursor = cursors[cursors.length - 1];
  const next = useCallback((nextCursor: string) => setState({ resetKey, cursors: [...cursors, nextCursor] }), [cursors, resetKey]);
  const previous = useCallback(() => setState({ resetKey, cursors: cursors.slice(0, -1) }), [cursors, resetKey]);
  return { cursor, pageNumber: cursors.length, next, previous, hasPrevious: cursors.length > 1 };
}
