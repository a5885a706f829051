/**
 * Card sheet geometry in PDF points (1/72 inch). Cells are ID-1 (credit card) size,
 * 85.6 × 53.98 mm, 2 across and 5 down on A4, touching, so one straight cut serves two
 * cards; cut marks sit in the page margin on every grid line.
 */
const MM = 72 / 25.4;

export const A4 = { width: 595.28, height: 841.89 } as const;
export const CARD = { width: 85.6 * MM, height: 53.98 * MM } as const;
export const GRID = { columns: 2, rows: 5 } as const;
export const CARDS_PER_PAGE = GRID.columns * GRID.rows;

export const GRID_ORIGIN = {
  x: (A4.width - GRID.columns * CARD.width) / 2,
  y: (A4.height - GRID.rows * CARD.height) / 2,
} as const;

/** Cut marks: a gap from the grid, then a short line, both in points. */
export const CUT_MARK = { gap: 4, length: 16 } as const;

export function cellOrigin(indexOnPage: number): { x: number; y: number } {
  const col = indexOnPage % GRID.columns;
  const row = Math.floor(indexOnPage / GRID.columns);
  return { x: GRID_ORIGIN.x + col * CARD.width, y: GRID_ORIGIN.y + row * CARD.height };
}

export function pageCount(cards: number): number {
  return Math.ceil(cards / CARDS_PER_PAGE);
}

/** Areas inside a card, relative to its top-left corner. */
export const CARD_AREAS = {
  band: { height: 24 },
  photo: { x: 8, y: 32, width: 54, height: 72 },
  /** The QR box includes its 4-module quiet zone. */
  qr: { x: CARD.width - 4 - 96, y: 28, size: 96 },
  text: { x: 70, y: 34 },
} as const;
export const TEXT_WIDTH = CARD_AREAS.qr.x - CARD_AREAS.text.x - 2;
