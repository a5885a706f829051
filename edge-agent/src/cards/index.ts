/**
 * Card tooling for the issuing side: issuer keys, roster validation, signing and printable
 * sheets. Library functions only; the campus-edge CLI wires them (keys init, cards issue).
 */
export { initIssuerKeys, loadIssuerKey, loadKeyring, issuerKeyFileNames, type IssuerKey, type IssuerKeyFiles } from './issuer-keys.js';
export {
  parseCardRoster,
  readCardRoster,
  ROSTER_COLUMNS,
  type CardRosterReport,
  type CardRosterRow,
  type ParseRosterOptions,
  type RosterProblem,
} from './roster.js';
export { issueCards, formatIssuedCardsCsv, type IssuedCard, type IssueCardsOptions } from './issue.js';
export { writeCardSheet, type CardSheetOptions, type CardSheetResult, type PrintableCard } from './sheet.js';
export { openCardFont, DEFAULT_CJK_FONT_PATHS, type CardFont } from './fonts.js';
export { CARDS_PER_PAGE, pageCount } from './sheet-layout.js';
export { CardToolError, type CardIssue } from './errors.js';
export { cardMessages, type CardMessageId } from './messages.js';
