// Moved to protocol/cards (shared with the cloud console's card sheets).
export * from '@campus/protocol/cards/messages';
