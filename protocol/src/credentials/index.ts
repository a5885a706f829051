/**
 * Signed QR credentials for gates: student/staff cards, visitor passes, pickup passes.
 * Import as `@campus/protocol/credentials/index`. Uses node:crypto (not for the browser).
 */
export {
  CREDENTIAL_PREFIX,
  CREDENTIAL_MAX_LENGTH,
  CREDENTIAL_MIN_LENGTH,
  SIGNATURE_BYTES,
  CredentialEncodeError,
  decodeCredential,
  encodeCredential,
  type CredentialEncodeErrorCode,
  type DecodeFailure,
  type DecodeResult,
  type DecodedCredential,
} from './codec.js';
export {
  verifyCredential,
  explainCredentialFailure,
  type VerifyFailure,
  type VerifyOptions,
  type VerifyResult,
  type VerifiedCredential,
} from './verify.js';
export {
  Keyring,
  CredentialKeyError,
  assertKid,
  createKeyring,
  publicKeyToRaw,
  toPrivateKey,
  toPublicKey,
  type PublicKeyInput,
} from './keys.js';
export {
  CREDENTIAL_REASONS,
  credentialMessages,
  credentialReasonMessageId,
  type CredentialDecodeReason,
  type CredentialReason,
} from './reasons.js';
export {
  CREDENTIAL_EPOCH_MS,
  CREDENTIAL_KINDS,
  CREDENTIAL_LATEST_MS,
  CREDENTIAL_LIMITS,
  CardCredentialSchema,
  CredentialSchema,
  KID_RE,
  KidSchema,
  MINUTE_MS,
  PersonIdSchema,
  PickupPassSchema,
  VisitorPassSchema,
  toCredentialMinute,
  type CardCredential,
  type Credential,
  type CredentialKind,
  type PickupPass,
  type VisitorPass,
} from './schema.js';
export { PERSON_ID_MAX_LENGTH, PERSON_ID_RE } from './person-id.js';
export { LAYOUT_VERSION } from './layout.js';
