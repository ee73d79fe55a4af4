/**
 * New passwords, generated in the function with the platform's CSPRNG instead of Secrets Manager's
 * GetRandomPassword, which has no resource-level permission (it would need `Resource: "*"`).
 * Letters and digits only: RDS refuses `/`, `@`, `"` and spaces in passwords, and a password without
 * punctuation can never break out of a quoted literal. 32 characters of 62 give ~190 bits.
 */
import { randomInt } from "node:crypto";

const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
export const PASSWORD_LENGTH = 32;

export function generatePassword(length = PASSWORD_LENGTH): string {
  // randomInt draws without modulo bias.
  return Array.from({ length }, () => ALPHABET[randomInt(ALPHABET.length)]).join("");
}
