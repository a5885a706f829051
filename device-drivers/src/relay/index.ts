export { RelayBoard, RelayBoardConfigSchema, RELAY_PROFILES, type RelayBoardConfig, type RelayBoardConfigInput, type RelayProfile, type RelayConfirmation, type RelayRequester } from './relay-board.js';
export { WAVESHARE, WAVESHARE_BAUD_CODES } from './waveshare.js';
