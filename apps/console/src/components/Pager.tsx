interface PagerProps {
  pageNumber: number;
  hasPrevious: boolean;
  nextCursor: string | null | undefined;
  onNext: (cursor: string) => void;
  onPrevious: () => void;
  label: string;
}

/** Server-side cursor pagination: forward with the API's nextCursor, back through the ones seen. */
export function Pager({ pageNumber, hasPrevious, nextCursor, onNext, onPrevious, label }: PagerProps) {
  if (!hasPrevious && !nextCursor) return null;
  return (
    <nav className="pager" aria-label={`${label} pages`}>
      <button type="button" className="button-secondary" disabled={!hasPrevious} onClick={onPrevious}>
        Previous page
      </button>
      <span>Page {pageNumber}</span>
      <button type="button" className="button-secondary" disabled={!nextCursor} onClick={() => nextCursor && onNext(nextCursor)}>
        Next page
      </button>
    </nav>
  );
}
