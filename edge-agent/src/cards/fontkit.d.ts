// The same declaration as protocol/src/cards/fontkit.d.ts, for the demo avatars.
// The slice of fontkit 2 (pdfkit's own font engine) that card sheets use.
declare module 'fontkit' {
  export interface Font {
    readonly type: string;
    readonly postscriptName: string;
    readonly familyName: string;
    hasGlyphForCodePoint(codePoint: number): boolean;
  }
  export interface FontCollection {
    readonly type: 'TTC' | 'DFont';
    readonly fonts: Font[];
  }
  export function openSync(path: string, postscriptName?: string): Font | FontCollection;
}
