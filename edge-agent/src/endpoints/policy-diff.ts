/** The policy diff lives in protocol (usb/policy-diff), next to the PolicyChange schema it produces. */
export { diffPolicies, type DiffSide } from '@campus/protocol/usb/policy-diff';
export type { PolicyChange } from '@campus/protocol/usb/api';
